package policy

import (
	"slices"
	"strings"
	"testing"
)

// TestLookup reads like the spec of what rofix gives each image.
func TestLookup(t *testing.T) {
	tests := []struct {
		image   string
		entries []string // matched entries, most specific first
		tmpfs   []string
		volumes []string
		noTmpfs []string
		verdict Verdict
		env     []string // NAME=value
		note    string   // a substring of one note
	}{
		// An unknown image gets /tmp and nothing else.
		{image: "example.com/team/app:1.0", tmpfs: []string{"/tmp"}, verdict: Works},
		{image: "", tmpfs: []string{"/tmp"}, verdict: Works},
		// nginx however it is spelled; never its conf.d or its log links.
		{image: "nginx", entries: []string{"nginx"}, tmpfs: []string{"/run", "/tmp", "/var/cache/nginx"},
			noTmpfs: []string{"/etc/nginx/conf.d", "/var/log/nginx"}, verdict: Works},
		{image: "nginx:1.27-alpine", entries: []string{"nginx"}, tmpfs: []string{"/run", "/tmp", "/var/cache/nginx"},
			noTmpfs: []string{"/etc/nginx/conf.d", "/var/log/nginx"}, verdict: Works},
		{image: "docker.io/library/nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
			entries: []string{"nginx"}, tmpfs: []string{"/run", "/tmp", "/var/cache/nginx"},
			noTmpfs: []string{"/etc/nginx/conf.d", "/var/log/nginx"}, verdict: Works},
		{image: "mirror.gcr.io/library/nginx", entries: []string{"nginx"}, tmpfs: []string{"/run", "/tmp", "/var/cache/nginx"},
			noTmpfs: []string{"/etc/nginx/conf.d", "/var/log/nginx"}, verdict: Works},
		{image: "${WEB_IMAGE:-nginx:1.27}", entries: []string{"nginx"}, tmpfs: []string{"/run", "/tmp", "/var/cache/nginx"},
			noTmpfs: []string{"/etc/nginx/conf.d", "/var/log/nginx"}, verdict: Works},
		// A variable without a default: rofix cannot know the image.
		{image: "$REGISTRY/nginx", tmpfs: []string{"/tmp"}, verdict: Works},
		// Rebuilds never inherit the upstream row; bitnami has its own.
		{image: "cgr.dev/chainguard/nginx", tmpfs: []string{"/tmp"}, verdict: Works},
		{image: "rapidfort/nginx", tmpfs: []string{"/tmp"}, verdict: Works},
		{image: "cgr.dev/chainguard/postgres:latest", tmpfs: []string{"/tmp"}, verdict: Works},
		{image: "bitnami/nginx:1.27", entries: []string{"bitnami"},
			tmpfs:   []string{"/opt/bitnami/nginx/conf", "/opt/bitnami/nginx/logs", "/opt/bitnami/nginx/tmp", "/tmp"},
			volumes: []string{"/bitnami/nginx"}, verdict: Works},
		// postgres: the socket directory, canonical; the data a volume,
		// by tag range: .../data below 18, /var/lib/postgresql from 18;
		// latest is 18; a newer major uses 18's facts, reported.
		{image: "postgres", entries: []string{"postgres"}, tmpfs: []string{"/run/postgresql", "/tmp"},
			volumes: []string{"/var/lib/postgresql"}, verdict: Works},
		{image: "postgres:16-alpine", entries: []string{"postgres"}, tmpfs: []string{"/run/postgresql", "/tmp"},
			volumes: []string{"/var/lib/postgresql/data"}, verdict: Works},
		{image: "postgres:17.2-bookworm", entries: []string{"postgres"}, tmpfs: []string{"/run/postgresql", "/tmp"},
			volumes: []string{"/var/lib/postgresql/data"}, verdict: Works},
		{image: "postgres:18", entries: []string{"postgres"}, tmpfs: []string{"/run/postgresql", "/tmp"},
			volumes: []string{"/var/lib/postgresql"}, verdict: Works},
		{image: "postgres:19-alpine", entries: []string{"postgres"}, tmpfs: []string{"/run/postgresql", "/tmp"},
			volumes: []string{"/var/lib/postgresql"}, verdict: Works, note: "postgres:19-alpine is newer than rofix's table (18"},
		// Images built FROM postgres inherit it, at the version of their tag.
		{image: "postgis/postgis:16-3.4", entries: []string{"postgis", "postgres"}, tmpfs: []string{"/run/postgresql", "/tmp"},
			volumes: []string{"/var/lib/postgresql/data"}, verdict: Works},
		{image: "pgvector/pgvector:0.8.0-pg18", entries: []string{"pgvector", "postgres"}, tmpfs: []string{"/run/postgresql", "/tmp"},
			volumes: []string{"/var/lib/postgresql"}, verdict: Works},
		{image: "pgvector/pgvector:pg17", entries: []string{"pgvector", "postgres"}, tmpfs: []string{"/run/postgresql", "/tmp"},
			volumes: []string{"/var/lib/postgresql/data"}, verdict: Works},
		// redis: VOLUME /data below 8 only; the state path in both.
		{image: "redis:7-alpine", entries: []string{"redis"}, tmpfs: []string{"/tmp"}, volumes: []string{"/data"}, verdict: Works},
		{image: "redis:8.2", entries: []string{"redis"}, tmpfs: []string{"/tmp"}, volumes: []string{"/data"}, verdict: Works},
		// s6-overlay: /run with exec.
		{image: "lscr.io/linuxserver/sonarr:latest", entries: []string{"linuxserver"}, tmpfs: []string{"/run:exec", "/tmp"},
			volumes: []string{"/config"}, verdict: WorksWithConditions, note: "PUID"},
		{image: "ghcr.io/home-assistant/home-assistant:stable", entries: []string{"home-assistant"},
			tmpfs: []string{"/run:exec", "/tmp"}, volumes: []string{"/config"}, verdict: DoesNotWork},
		// A JVM: /tmp with exec, merged into the one /tmp entry.
		{image: "eclipse-temurin:21-jre", entries: []string{"java"}, tmpfs: []string{"/tmp:exec"}, verdict: Works},
		{image: "tomcat:10.1", entries: []string{"tomcat"},
			tmpfs:   []string{"/tmp:exec", "/usr/local/tomcat/logs", "/usr/local/tomcat/temp", "/usr/local/tomcat/work"},
			verdict: Works},
		// Kafka's default log dir is in /tmp: reported, with the setting.
		{image: "apache/kafka:3.9.0", entries: []string{"apache kafka"},
			tmpfs:   []string{"/opt/kafka/config", "/opt/kafka/logs", "/tmp:exec"},
			volumes: []string{"/var/lib/kafka/data"}, verdict: WorksWithConditions, note: "/tmp/kraft-combined-logs"},
		// The image's own VOLUME /tmp: no tmpfs there.
		{image: "jaegertracing/all-in-one:1.60", entries: []string{"jaeger all-in-one"}, volumes: []string{"/tmp"}, verdict: Works},
		// vault and pgadmin: cond, decided by their checks.
		{image: "hashicorp/vault:1.17", entries: []string{"vault"}, tmpfs: []string{"/tmp"},
			volumes: []string{"/vault/file", "/vault/logs"}, verdict: WorksWithConditions},
		{image: "dpage/pgadmin4", entries: []string{"pgadmin"}, tmpfs: []string{"/tmp"}, volumes: []string{"/var/lib/pgadmin"},
			noTmpfs: []string{"/pgadmin4"}, verdict: WorksWithConditions, note: "/pgadmin4"},
		// Tag-aware rows.
		{image: "php:8.3-apache", entries: []string{"php apache"}, tmpfs: []string{"/run", "/tmp"}, verdict: Works},
		{image: "php:${PHP_VERSION:-8.3}-fpm-alpine", entries: []string{"php"}, tmpfs: []string{"/tmp"}, verdict: Works},
		{image: "gitea/gitea:1.22-rootless", entries: []string{"gitea rootless"}, tmpfs: []string{"/tmp"},
			volumes: []string{"/etc/gitea", "/var/lib/gitea"}, verdict: Works},
		{image: "gitea/gitea:1.22", entries: []string{"gitea"}, tmpfs: []string{"/tmp"}, volumes: []string{"/data"},
			verdict: DoesNotWork, note: "rootless"},
	}
	k := Builtin()
	for _, tt := range tests {
		n := k.Lookup(tt.image)
		var names, env []string
		for _, e := range n.Entries {
			names = append(names, e.Name)
		}
		for _, s := range n.Env {
			env = append(env, s.Name+"="+s.Value)
		}
		if n.Image != tt.image || !slices.Equal(names, tt.entries) || !slices.Equal(n.Tmpfs, tt.tmpfs) ||
			!slices.Equal(n.Volumes, tt.volumes) || !slices.Equal(n.NoTmpfs, tt.noTmpfs) ||
			n.Verdict != tt.verdict || !slices.Equal(env, tt.env) || n.Known() != (len(tt.entries) > 0) {
			t.Errorf("Lookup(%q) = entries %q tmpfs %q volumes %q no_tmpfs %q verdict %s env %q\n want entries %q tmpfs %q volumes %q no_tmpfs %q verdict %s env %q",
				tt.image, names, n.Tmpfs, n.Volumes, n.NoTmpfs, n.Verdict, env,
				tt.entries, tt.tmpfs, tt.volumes, tt.noTmpfs, tt.verdict, tt.env)
		}
		notes := strings.Join(n.Notes, "\n")
		if tt.note != "" && !strings.Contains(notes, tt.note) || tt.note == "" && tt.verdict == Works && notes != "" {
			t.Errorf("Lookup(%q).Notes = %q, want one with %q", tt.image, n.Notes, tt.note)
		}
	}
}

// TestWith: a config entry with a built-in entry's name or pattern
// replaces it; any other config entry adds to the built-in ones and comes
// first among equally specific matches.
func TestWith(t *testing.T) {
	k := Builtin().With([]*ImageEntry{
		{Name: "postgres", Match: []string{"postgres"}, Tmpfs: []string{"/var/run/postgresql:uid=999,gid=999"},
			Volumes: []string{"/var/lib/postgresql"}, Verdict: Works, Confidence: "learned"},
		{Name: "my nginx", Match: []string{"nginx", "registry.example.com/nginx"}, Tmpfs: []string{"/var/cache/nginx"}, Verdict: Works},
		{Name: "sonarr", Match: []string{"lscr.io/linuxserver/sonarr"}, Tmpfs: []string{"/var/spool/cron/crontabs"}, Verdict: Works},
	})
	tests := []struct {
		image   string
		entries []string
		tmpfs   []string
		volumes []string
	}{
		{"postgres:16", []string{"postgres"}, []string{"/run/postgresql:uid=999,gid=999", "/tmp"}, []string{"/var/lib/postgresql"}},
		// Images built FROM postgres inherit the config's entry.
		{"postgis/postgis:18", []string{"postgis", "postgres"}, []string{"/run/postgresql:uid=999,gid=999", "/tmp"}, []string{"/var/lib/postgresql"}},
		{"nginx", []string{"my nginx"}, []string{"/tmp", "/var/cache/nginx"}, nil},
		{"registry.example.com/nginx:2", []string{"my nginx"}, []string{"/tmp", "/var/cache/nginx"}, nil},
		{"lscr.io/linuxserver/sonarr", []string{"sonarr", "linuxserver"}, []string{"/run:exec", "/tmp", "/var/spool/cron/crontabs"}, []string{"/config"}},
	}
	for _, tt := range tests {
		n := k.Lookup(tt.image)
		var names []string
		for _, e := range n.Entries {
			names = append(names, e.Name)
		}
		if !slices.Equal(names, tt.entries) || !slices.Equal(n.Tmpfs, tt.tmpfs) || !slices.Equal(n.Volumes, tt.volumes) {
			t.Errorf("With(...).Lookup(%q) = %q %q %q, want %q %q %q", tt.image, names, n.Tmpfs, n.Volumes, tt.entries, tt.tmpfs, tt.volumes)
		}
	}
	if len(Builtin().Lookup("nginx").Entries[0].Tmpfs) != 2 {
		t.Error("With changed the table it was called on")
	}
}

func TestCanonicalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/var/run": "/run", "/var/run/postgresql": "/run/postgresql", "/var/run/": "/run", "/var/lock": "/run/lock",
		"/var/lock/apache2": "/run/lock/apache2", "/var/running": "/var/running", "/run//mysqld/": "/run/mysqld", "/tmp": "/tmp",
	} {
		if got := CanonicalPath(in); got != want {
			t.Errorf("CanonicalPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMergeTmpfs: one entry per path, sorted, options merged, the first
// value of a contradicting option kept.
func TestMergeTmpfs(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"/tmp", "/tmp:exec"}, []string{"/tmp:exec"}},
		{[]string{"/tmp:exec", "/tmp"}, []string{"/tmp:exec"}},
		{[]string{"/run:exec,mode=755", "/tmp", "/run:uid=1000,noexec,mode=700"}, []string{"/run:exec,mode=755,uid=1000", "/tmp"}},
		{[]string{"/b", "/a", "/b"}, []string{"/a", "/b"}},
	}
	for _, tt := range tests {
		if got := mergeTmpfs(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("mergeTmpfs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestLookupPaths: config paths are canonicalised, and a tmpfs never goes
// on a state path or over a path the image ships files into.
func TestLookupPaths(t *testing.T) {
	k := (&Knowledge{}).With([]*ImageEntry{
		{Name: "a", Match: []string{"a"}, Tmpfs: []string{"/var/run/a", "/srv/cache", "/etc"}, Volumes: []string{"/srv"},
			NoTmpfs: []string{"/etc/a/conf.d"}, Verdict: Works},
		{Name: "b", Match: []string{"a"}, Volumes: []string{"/tmp/state"}, Verdict: WorksWithConditions, Conditions: "b's reason"},
	})
	n := k.Lookup("a")
	if want := []string{"/run/a", "/tmp"}; !slices.Equal(n.Tmpfs, want) {
		t.Errorf("tmpfs = %q, want %q", n.Tmpfs, want)
	}
	if want := []string{"b: b's reason"}; !slices.Equal(n.Notes, want) || n.Verdict != WorksWithConditions {
		t.Errorf("notes %q verdict %s, want %q cond", n.Notes, n.Verdict, want)
	}
}
