package rewrite_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/policy"
)

// acceptance is the check, written by hand from images.yaml: a
// compose file and a script of well-known images, each written as real
// files do (tags, docker.io/ prefixes, digests). Each container must get
// exactly its own image's tmpfs entries, with their options; read-only
// only where the image runs read-only (verdict not "no", a required env
// setting present, every required state path mounted or an image VOLUME).
var acceptance = []struct {
	name  string
	image string   // as written in both files
	mount []string // -v / volumes: entries
	env   []string // NAME=VALUE
	tmpfs []string // expected, sorted; nil when read-only is withheld
	ro    bool
}{
	{"nginx", "nginx:1.27-alpine", nil, nil, []string{"/run", "/tmp", "/var/cache/nginx"}, true},
	{"unpriv", "docker.io/nginxinc/nginx-unprivileged:stable-alpine", nil, nil, []string{"/tmp"}, true},
	{"httpd", "httpd:2.4@sha256:" + strings.Repeat("ab", 32), nil, nil, []string{"/tmp", "/usr/local/apache2/logs"}, true},
	{"postgres", "postgres:16-alpine", nil, nil, []string{"/run/postgresql", "/tmp"}, true}, // VOLUME in the image
	{"mysql", "mysql:8.4", []string{"mysql:/var/lib/mysql"}, nil, []string{"/run/mysqld", "/tmp"}, true},
	{"mariadb", "docker.io/library/mariadb:11", nil, nil, []string{"/run/mysqld", "/tmp"}, true},
	{"redis", "redis:7-alpine", nil, nil, []string{"/tmp"}, true}, // VOLUME /data in the image
	{"mongo", "index.docker.io/library/mongo:7.0", nil, nil, []string{"/tmp"}, true},
	{"memcached", "memcached", nil, nil, []string{"/tmp"}, true},
	{"rabbitmq", "rabbitmq:3-management", nil, nil, []string{"/tmp"}, true},
	{"grafana", "grafana/grafana-oss:11.2.0", []string{"grafana:/var/lib/grafana"}, nil, []string{"/tmp", "/var/log/grafana"}, true},
	{"grafana-novol", "grafana/grafana", nil, nil, nil, false}, // /var/lib/grafana: no VOLUME, nothing mounted
	{"prometheus", "prom/prometheus:v2.53.0", nil, nil, []string{"/tmp"}, true},
	{"traefik", "traefik:v3.1", nil, nil, []string{"/tmp"}, true},
	{"caddy", "caddy:2-alpine", []string{"caddy_data:/data"}, nil, []string{"/config", "/tmp"}, true},
	{"minio", "quay.io/minio/minio:RELEASE.2024-06-13T22-53-53Z", nil, nil, []string{"/root/.minio", "/tmp"}, true},
	{"vault", "hashicorp/vault:1.17", nil, nil, nil, false}, // SKIP_SETCAP missing
	{"vault-ok", "hashicorp/vault:1.17", nil, []string{"SKIP_SETCAP=true"}, []string{"/tmp"}, true},
	{"jenkins", "jenkins/jenkins:lts-jdk17", nil, nil, []string{"/tmp:exec"}, true},
	{"sonarqube", "sonarqube:community", nil, nil, []string{"/tmp:exec"}, true},
	{"keycloak", "quay.io/keycloak/keycloak:25.0", nil, nil, nil, false}, // verdict no: start rebuilds into the image
	{"n8n", "docker.n8n.io/n8nio/n8n", []string{"n8n:/home/node/.n8n"}, nil, []string{"/home/node/.cache", "/tmp"}, true},
	{"es", "docker.elastic.co/elasticsearch/elasticsearch:8.15.0", nil, nil, nil, false}, // config/ and data/: no VOLUME
	{"es-ok", "docker.elastic.co/elasticsearch/elasticsearch:8.15.0", []string{"esdata:/usr/share/elasticsearch/data", "esconf:/usr/share/elasticsearch/config"}, nil,
		[]string{"/tmp:exec", "/usr/share/elasticsearch/logs"}, true},
	{"lsio", "lscr.io/linuxserver/nginx:latest", []string{"./config:/config"}, []string{"LSIO_READ_ONLY_FS=true"}, []string{"/run:exec", "/tmp"}, true},
	{"temurin", "eclipse-temurin:21-jre", nil, nil, []string{"/tmp:exec"}, true},
	{"bitnami-pg", "docker.io/bitnami/postgresql:16", []string{"pg:/bitnami/postgresql"}, nil,
		[]string{"/opt/bitnami/postgresql/conf", "/opt/bitnami/postgresql/logs", "/opt/bitnami/postgresql/tmp", "/tmp"}, true},
	{"pgadmin", "dpage/pgadmin4:8", nil, nil, nil, false}, // cond: PGADMIN_CUSTOM_CONFIG_DISTRO_FILE unset
	{"pgadmin-custom", "dpage/pgadmin4:8", nil, []string{"PGADMIN_CUSTOM_CONFIG_DISTRO_FILE=/var/lib/pgadmin/config_distro.py"}, []string{"/tmp"}, true}, // cond met: the config goes into the VOLUME
	{"php", "php:8.3-apache", nil, nil, []string{"/run", "/tmp"}, true},
	{"wordpress", "wordpress:6-php8.3-apache", nil, nil, []string{"/run", "/tmp"}, true},
	{"kafka", "apache/kafka:3.8.0", nil, []string{"KAFKA_LOG_DIRS=/var/lib/kafka/data"}, []string{"/opt/kafka/config", "/opt/kafka/logs", "/tmp:exec"}, true},
}

func TestAcceptanceWellKnownImages(t *testing.T) {
	var compose, script strings.Builder
	compose.WriteString("services:\n")
	script.WriteString("#!/bin/sh\n")
	for _, c := range acceptance {
		fmt.Fprintf(&compose, "  %s:\n    image: %s\n", c.name, c.image)
		fmt.Fprintf(&script, "docker run -d --name %s", c.name)
		if len(c.mount) > 0 {
			compose.WriteString("    volumes:\n")
			for _, m := range c.mount {
				fmt.Fprintf(&compose, "      - %s\n", m)
				fmt.Fprintf(&script, " -v %s", m)
			}
		}
		if len(c.env) > 0 {
			compose.WriteString("    environment:\n")
			for _, e := range c.env {
				fmt.Fprintf(&compose, "      - %s\n", e)
				fmt.Fprintf(&script, " -e %s", e)
			}
		}
		fmt.Fprintf(&script, " %s\n", c.image)
	}
	pol := policy.Default()
	fromCompose := composeContainers(t, rewrite.Process("compose.yaml", []byte(compose.String()), rewrite.Compose, pol))
	fromShell := shellContainers(t, rewrite.Process("run.sh", []byte(script.String()), rewrite.Shell, pol))

	all := map[string]bool{} // every tmpfs path of any row
	for _, c := range acceptance {
		for _, p := range c.tmpfs {
			all[policy.TmpfsTarget(p)] = true
		}
	}
	for _, c := range acceptance {
		for engine, got := range map[string]map[string]container{"compose": fromCompose, "shell": fromShell} {
			g := got[c.name]
			if g.ro != c.ro {
				t.Errorf("%s (%s): read-only %v, want %v", c.name, engine, g.ro, c.ro)
			}
			if !slices.Equal(g.tmpfs, c.tmpfs) {
				t.Errorf("%s (%s): tmpfs %q, want %q", c.name, engine, g.tmpfs, c.tmpfs)
			}
			for _, p := range g.tmpfs {
				if all[policy.TmpfsTarget(p)] && !slices.ContainsFunc(c.tmpfs, func(w string) bool { return policy.TmpfsTarget(w) == policy.TmpfsTarget(p) }) {
					t.Errorf("%s (%s): got %s, another image's path", c.name, engine, p)
				}
			}
		}
		if !slices.Equal(fromCompose[c.name].tmpfs, fromShell[c.name].tmpfs) {
			t.Errorf("%s: compose gives %q, shell %q", c.name, fromCompose[c.name].tmpfs, fromShell[c.name].tmpfs)
		}
	}
}

type container struct {
	ro    bool
	tmpfs []string // sorted
}

func composeContainers(t *testing.T, res *rewrite.Result) map[string]container {
	t.Helper()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	var doc struct {
		Services map[string]struct {
			ReadOnly bool     `yaml:"read_only"`
			Tmpfs    []string `yaml:"tmpfs"`
		}
	}
	if err := yaml.Unmarshal(res.Out, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]container{}
	for name, s := range doc.Services {
		slices.Sort(s.Tmpfs)
		out[name] = container{s.ReadOnly, s.Tmpfs}
	}
	return out
}

func shellContainers(t *testing.T, res *rewrite.Result) map[string]container {
	t.Helper()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	out := map[string]container{}
	for _, line := range strings.Split(string(res.Out), "\n") {
		w := strings.Fields(line)
		if len(w) < 2 || w[0] != "docker" {
			continue
		}
		var c container
		name := ""
		for i, f := range w {
			switch {
			case f == "--read-only":
				c.ro = true
			case f == "--tmpfs" && i+1 < len(w):
				c.tmpfs = append(c.tmpfs, w[i+1])
			case f == "--name" && i+1 < len(w):
				name = w[i+1]
			}
		}
		slices.Sort(c.tmpfs)
		out[name] = c
	}
	return out
}
