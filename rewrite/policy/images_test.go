package policy

import (
	"slices"
	"strings"
	"testing"
)

// TestBuiltinTable validates the data of images/*.yaml: complete entries,
// absolute canonical paths, normalised patterns, no pattern twice, and no
// image matched by two entries except where that is meant.
func TestBuiltinTable(t *testing.T) {
	k := Builtin()
	names := map[string]bool{}
	patterns := map[string]string{}
	for _, e := range k.Entries {
		if e.Name == "" || len(e.Match) == 0 || e.Verdict == "" && e.From == "" || e.Confidence == "" || len(e.Sources) == 0 {
			t.Errorf("%q: every entry needs name, match, verdict (or from), confidence and sources", e.Name)
		}
		if e.Verdict != Works && e.Verdict != "" && e.Conditions == "" {
			t.Errorf("%s: verdict %s without conditions saying why", e.Name, e.Verdict)
		}
		if e.Confidence == "learned" {
			t.Errorf("%s: the built-in table holds no learned entries", e.Name)
		}
		if names[e.Name] {
			t.Errorf("%s: two entries with this name", e.Name)
		}
		names[e.Name] = true
		var paths []string
		for _, tmpfs := range e.Tmpfs {
			paths = append(paths, TmpfsTarget(tmpfs))
		}
		for _, p := range append(append(paths, e.Volumes...), e.NoTmpfs...) {
			if CanonicalPath(p) != p {
				t.Errorf("%s: path %q is not canonical (want %q)", e.Name, p, CanonicalPath(p))
			}
			if strings.Contains(p, "{name}") && !strings.Contains(strings.Join(e.Match, " "), "*") {
				t.Errorf("%s: {name} in %q outside a pattern entry", e.Name, p)
			}
		}
		for _, p := range e.Match {
			if other, dup := patterns[p]; dup {
				t.Errorf("pattern %q in both %s and %s", p, other, e.Name)
			}
			patterns[p] = e.Name
			name, _, _ := strings.Cut(p, ":")
			if sample := strings.ReplaceAll(name, "*", "x"); NormalizeImage(sample) != sample {
				t.Errorf("%s: pattern %q is not normalised (%q reads as %q)", e.Name, p, sample, NormalizeImage(sample))
			}
		}
	}
	// An image of one pattern is matched by that entry alone, except:
	// (entries inherited through from: are not matches).
	overlaps := map[string][]string{}
	for _, e := range k.Entries {
		for _, p := range e.Match {
			sample := samplePattern(p)
			var got []string
			for _, m := range k.Lookup(sample).Entries {
				if m.Inherited == "" {
					got = append(got, m.Name)
				}
			}
			want := append([]string{e.Name}, overlaps[e.Name]...)
			if !slices.Equal(got, want) {
				t.Errorf("pattern %q of %s: %q matches entries %q, want %q", p, e.Name, sample, got, want)
			}
		}
	}
}

// samplePattern returns an image reference a pattern matches:
// "php:*apache*" gives "php:xapachex", "php:!*apache*" gives "php:x".
func samplePattern(p string) string {
	name, tag, hasTag := strings.Cut(p, ":")
	name = strings.ReplaceAll(name, "*", "x")
	switch {
	case !hasTag:
		return name
	case strings.HasPrefix(tag, "!"):
		return name + ":x"
	}
	return name + ":" + strings.ReplaceAll(tag, "*", "x")
}

// TestTableCoversNotes: every image of the main table of
// shared/notes/image-paths.md (section 1) resolves to its row.
func TestTableCoversNotes(t *testing.T) {
	want := map[string]string{
		"nginx": "nginx", "nginx:1.27-alpine": "nginx", "docker.io/library/nginx": "nginx",
		"nginxinc/nginx-unprivileged": "nginx-unprivileged", "ghcr.io/nginx/nginx-unprivileged": "nginx-unprivileged",
		"quay.io/nginx/nginx-unprivileged": "nginx-unprivileged",
		"httpd":                            "httpd", "php:8.3-apache": "php apache", "php:8.3-fpm": "php", "php:8.3-cli": "php", "php:8.3": "php",
		"wordpress": "wordpress", "wordpress:6-fpm": "wordpress", "nextcloud": "nextcloud", "nextcloud:29-fpm": "nextcloud",
		"postgres": "postgres", "postgis/postgis": "postgis", "pgvector/pgvector": "pgvector",
		"mysql": "mysql", "mariadb": "mariadb", "redis": "redis", "valkey/valkey": "valkey", "mongo": "mongo",
		"memcached": "memcached", "rabbitmq": "rabbitmq", "rabbitmq:4-management": "rabbitmq",
		"elasticsearch": "elasticsearch", "docker.elastic.co/elasticsearch/elasticsearch:8.15.0": "elasticsearch",
		"opensearchproject/opensearch": "opensearch",
		"grafana/grafana":              "grafana", "grafana/grafana-oss": "grafana", "grafana/grafana-enterprise": "grafana",
		"prom/prometheus": "prometheus", "quay.io/prometheus/prometheus": "prometheus",
		"prom/alertmanager": "alertmanager", "quay.io/prometheus/alertmanager": "alertmanager",
		"prom/node-exporter": "node-exporter", "quay.io/prometheus/node-exporter": "node-exporter",
		"traefik": "traefik", "traefik/traefik": "traefik", "caddy": "caddy", "haproxy": "haproxy",
		"minio/minio": "minio", "quay.io/minio/minio": "minio", "registry": "registry", "distribution/distribution": "registry",
		"hashicorp/vault": "vault", "vault": "vault", "hashicorp/consul": "consul", "consul": "consul",
		"quay.io/coreos/etcd": "etcd", "gcr.io/etcd-development/etcd": "etcd",
		"jenkins/jenkins": "jenkins", "gitea/gitea:1.22-rootless": "gitea rootless", "gitea/gitea": "gitea", "gitea/gitea:1.22": "gitea",
		"sonarqube": "sonarqube", "sonarsource/sonarqube": "sonarqube",
		"quay.io/keycloak/keycloak": "keycloak", "keycloak/keycloak": "keycloak", "jboss/keycloak": "keycloak legacy",
		"axllent/mailpit": "mailpit", "mailhog/mailhog": "mailhog", "adminer": "adminer", "dpage/pgadmin4": "pgadmin",
		"portainer/portainer-ce": "portainer", "portainer/portainer-ee": "portainer",
		"n8nio/n8n": "n8n", "docker.n8n.io/n8nio/n8n": "n8n", "nodered/node-red": "node-red",
		"homeassistant/home-assistant": "home-assistant", "ghcr.io/home-assistant/home-assistant": "home-assistant",
		"influxdb:2.7": "influxdb", "influxdb:1.8": "influxdb", "influxdb:3-core": "influxdb", "influxdb:3.1-enterprise": "influxdb", "influxdb": "influxdb",
		"telegraf": "telegraf", "grafana/loki": "loki", "grafana/promtail": "promtail",
		"jaegertracing/all-in-one": "jaeger all-in-one", "otel/opentelemetry-collector-contrib": "otel collector",
		"otel/opentelemetry-collector": "otel collector",
		"zookeeper":                    "zookeeper", "apache/kafka": "apache kafka", "apache/kafka-native": "apache kafka native",
		"confluentinc/cp-kafka": "confluent kafka", "confluentinc/cp-server": "confluent kafka", "confluentinc/cp-zookeeper": "confluent zookeeper",
		"clickhouse/clickhouse-server": "clickhouse", "clickhouse": "clickhouse", "cassandra": "cassandra", "neo4j": "neo4j",
		"solr": "solr", "tomcat": "tomcat", "jetty": "jetty", "open-liberty": "open-liberty", "websphere-liberty": "websphere-liberty",
		"varnish": "varnish", "eclipse-temurin": "java", "openjdk": "java", "amazoncorretto": "java", "ibm-semeru-runtimes": "java",
		"sapmachine": "java", "node": "node", "python": "python", "golang": "golang",
		"busybox": "base images", "alpine": "base images", "debian": "base images", "ubuntu": "base images",
		"gcr.io/distroless/static-debian12": "base images",
		"bitnami/postgresql":                "bitnami", "bitnamilegacy/redis": "bitnami", "bitnamisecure/nginx": "bitnami",
		"docker.io/bitnami/mariadb": "bitnami",
		"linuxserver/sonarr":        "linuxserver", "lscr.io/linuxserver/sonarr": "linuxserver", "ghcr.io/linuxserver/sonarr": "linuxserver",
	}
	k := Builtin()
	for image, name := range want {
		n := k.Lookup(image)
		if len(n.Entries) == 0 || n.Entries[0].Name != name {
			t.Errorf("Lookup(%q) has no %q entry first: %v", image, name, n.Entries)
		}
	}
}

// TestCheck: the structural errors a config entry can have.
func TestCheck(t *testing.T) {
	ok := ImageEntry{Name: "a", Match: []string{"a"}, Verdict: Works}
	tests := []struct {
		change func(e *ImageEntry)
		err    string
	}{
		{func(e *ImageEntry) {}, ""},
		{func(e *ImageEntry) { e.Name = "" }, "no name"},
		{func(e *ImageEntry) { e.Match = nil }, "no match pattern"},
		{func(e *ImageEntry) { e.Match = []string{"a@sha256:1"} }, "invalid match pattern"},
		{func(e *ImageEntry) { e.Verdict = "maybe" }, `verdict "maybe"`},
		{func(e *ImageEntry) { e.Confidence = "sure" }, `confidence "sure"`},
		{func(e *ImageEntry) { e.Traits = []string{"java"} }, `unknown trait "java"`},
		{func(e *ImageEntry) { e.Tmpfs = []string{"tmp"} }, `path "tmp" is not absolute`},
		{func(e *ImageEntry) { e.Volumes = []string{"data"} }, `path "data" is not absolute`},
		{func(e *ImageEntry) { e.Tmpfs, e.Volumes = []string{"/data:exec"}, []string{"/data"} }, "tmpfs /data:exec is also a state"},
		{func(e *ImageEntry) { e.Tmpfs, e.NoTmpfs = []string{"/var/run"}, []string{"/run/app"} }, "tmpfs /var/run is also"},
	}
	for i, tt := range tests {
		e := ok
		tt.change(&e)
		err := e.Check()
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("case %d: Check() = %v, want an error with %q", i, err, tt.err)
		}
	}
}

// TestParseTable: unknown keys and wrong types are errors.
func TestParseTable(t *testing.T) {
	for _, bad := range []string{
		"- {name: a, match: [a], verdict: yes, tmpfss: [/x]}",
		"- {name: a, match: a, verdict: yes}",
		"- {name: a, match: [a], verdict: perhaps}",
	} {
		if _, err := ParseTable([]byte(bad)); err == nil {
			t.Errorf("ParseTable(%q) = nil error", bad)
		}
	}
	k, err := ParseTable([]byte("- {name: a, match: [a], verdict: \"yes\", env: [{name: X, value: \"1\", why: w}]}"))
	if err != nil || len(k.Entries) != 1 || k.Entries[0].Env[0] != (EnvSetting{Name: "X", Value: "1", Why: "w"}) {
		t.Errorf("ParseTable = %+v, %v", k, err)
	}
}
