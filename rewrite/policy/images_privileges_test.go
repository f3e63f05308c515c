package policy

import (
	"slices"
	"strings"
	"testing"
)

// TestBuiltinPrivileges reads like the spec of what the built-in table
// says about the opt-in rules cap-drop and non-root for the images it
// knows: the capabilities each needs back after dropping ALL, the
// non-root user it runs as, or why it must start as root; through tag
// ranges, variants and from: inheritance.
func TestBuiltinPrivileges(t *testing.T) {
	const (
		chown  = "CHOWN"
		dac    = "DAC_OVERRIDE"
		fowner = "FOWNER"
		kill   = "KILL"
		bind   = "NET_BIND_SERVICE"
		setgid = "SETGID"
		setuid = "SETUID"
	)
	drop := []string{chown, dac, setgid, setuid} // find ... chown, then gosu/setpriv
	tests := []struct {
		image     string
		caps      []string // nil: unknown
		runAs     string
		needsRoot string // a substring of the reason
	}{
		// The databases' entrypoints chown their data as root (reading
		// directories only their user may read), then drop to it; they
		// skip both when started as that user.
		{image: "postgres:17", caps: []string{chown, dac, fowner, setgid, setuid}},
		{image: "postgres:18-alpine", caps: []string{chown, dac, fowner, setgid, setuid}},
		{image: "postgis/postgis:17-3.5", caps: []string{chown, dac, fowner, setgid, setuid}},
		{image: "mysql:8.4", caps: drop, runAs: "999:999"},
		{image: "mariadb:11.8", caps: drop},
		{image: "appwrite/mariadb:1.2.0", caps: drop},
		{image: "mongo:8.0", caps: drop, runAs: "999:999"},
		{image: "cassandra:5", caps: drop, runAs: "999:999"},
		{image: "couchdb:3.5", caps: []string{chown, dac, fowner, setgid, setuid}, runAs: "5984:5984"},
		{image: "zookeeper:3.9", caps: drop, runAs: "1000:1000"},
		{image: "rabbitmq:4-management-alpine", caps: drop},
		// redis drops with gosu before 8, with setpriv (fixing modes too)
		// from 8; 999 owns /data in the alpine variants as well.
		{image: "redis:7.4", caps: drop, runAs: "999:999"},
		{image: "redis:8-alpine", caps: []string{chown, dac, fowner, setgid, setuid}, runAs: "999:999"},
		{image: "redis", caps: []string{chown, dac, fowner, setgid, setuid}, runAs: "999:999"},
		{image: "valkey/valkey:8-alpine", caps: drop, runAs: "999:999"},
		// Web servers: port 80 as root, workers as another user.
		{image: "nginx:1.27-alpine", caps: []string{chown, kill, bind, setgid, setuid}, needsRoot: "port 80"},
		{image: "nginxproxy/nginx-proxy:1.6", caps: []string{chown, kill, bind, setgid, setuid}, needsRoot: "port 80"},
		{image: "httpd:2.4", caps: []string{chown, kill, bind, setgid, setuid}, needsRoot: "port 80"},
		{image: "php:8.3-apache", needsRoot: "port 80"},
		{image: "wordpress:6", caps: []string{chown, dac, fowner, kill, bind, setgid, setuid}, needsRoot: "port 80"},
		// php apache's children chown and copy as root each their own
		// way: they inherit why they need root, not a capability list.
		{image: "nextcloud:31-apache", needsRoot: "port 80"},
		{image: "drupal:11", needsRoot: "port 80"},
		{image: "traefik:v3.7", caps: []string{bind}},
		{image: "caddy:2", caps: []string{bind}},
		{image: "ghost:6-alpine", caps: drop, runAs: "1000:1000"},
		{image: "eclipse-mosquitto:2", caps: []string{chown, setgid, setuid}, runAs: "1883:1883"},
		// Not known: the uid of mariadb's mysql user is not fixed, vault's
		// needs are not a short list; postgres' and rabbitmq's users differ
		// between their debian and alpine variants.
		{image: "hashicorp/vault:1.18"},
		{image: "example.com/team/app:1.0"},
	}
	k := Builtin()
	for _, tt := range tests {
		n := k.Lookup(tt.image)
		if n.CapsKnown != (tt.caps != nil) || !slices.Equal(n.Caps, tt.caps) {
			t.Errorf("Lookup(%q).Caps = %q (known %v), want %q", tt.image, n.Caps, n.CapsKnown, tt.caps)
		}
		if n.RunAs != tt.runAs {
			t.Errorf("Lookup(%q).RunAs = %q, want %q", tt.image, n.RunAs, tt.runAs)
		}
		if (tt.needsRoot == "") != (n.NeedsRoot == "") || !strings.Contains(n.NeedsRoot, tt.needsRoot) {
			t.Errorf("Lookup(%q).NeedsRoot = %q, want one with %q", tt.image, n.NeedsRoot, tt.needsRoot)
		}
	}
}

// TestBuiltinNonRootUsers: the images whose USER is already non-root
// state it, so non-root adds nothing to them.
func TestBuiltinNonRootUsers(t *testing.T) {
	k := Builtin()
	for image, want := range map[string]string{
		"grafana/grafana:12.0.0":                              "472",
		"prom/prometheus:v3.5.0":                              "nobody",
		"memcached:1.6-alpine":                                "memcache",
		"nginxinc/nginx-unprivileged:1.27":                    "101",
		"docker.elastic.co/elasticsearch/elasticsearch:9.1.0": "1000:0",
	} {
		if got := k.Lookup(image).User; got != want {
			t.Errorf("Lookup(%q).User = %q, want %q", image, got, want)
		}
	}
}
