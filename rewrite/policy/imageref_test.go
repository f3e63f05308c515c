package policy

import (
	"strings"
	"testing"
)

// TestParseImageRef: the registry of Docker Hub (and its public mirrors),
// library/, tag and digest go; other registries stay part of the name.
func TestParseImageRef(t *testing.T) {
	tests := []struct {
		ref  string
		want ImageRef
	}{
		{"nginx", ImageRef{"nginx", "latest"}},
		{"nginx:1.27-alpine", ImageRef{"nginx", "1.27-alpine"}},
		{"library/nginx", ImageRef{"nginx", "latest"}},
		{"docker.io/library/nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31", ImageRef{"nginx", "latest"}},
		{"index.docker.io/library/nginx:1.27@sha256:0d17b565", ImageRef{"nginx", "1.27"}},
		{"registry-1.docker.io/bitnami/nginx:1.27", ImageRef{"bitnami/nginx", "1.27"}},
		{"Docker.io/Library/NGINX:Stable", ImageRef{"nginx", "stable"}},
		// Public mirrors of Docker Hub serve the same image.
		{"mirror.gcr.io/library/nginx", ImageRef{"nginx", "latest"}},
		{"public.ecr.aws/docker/library/nginx:1.27", ImageRef{"nginx", "1.27"}},
		// Any other registry keeps its name, library/ too (a Harbor project).
		{"ghcr.io/linuxserver/sonarr:4", ImageRef{"ghcr.io/linuxserver/sonarr", "4"}},
		{"quay.io/prometheus/prometheus", ImageRef{"quay.io/prometheus/prometheus", "latest"}},
		{"harbor.example.com/library/nginx", ImageRef{"harbor.example.com/library/nginx", "latest"}},
		{"localhost:5000/nginx:dev", ImageRef{"localhost:5000/nginx", "dev"}},
		{"localhost/app", ImageRef{"localhost/app", "latest"}},
		// Third-party rebuilds are other images.
		{"cgr.dev/chainguard/nginx", ImageRef{"cgr.dev/chainguard/nginx", "latest"}},
		{"bitnami/nginx", ImageRef{"bitnami/nginx", "latest"}},
		// A variable's default stands for it; a variable without one makes
		// the name unknown, and counts as empty text in the tag.
		{"${IMAGE:-nginx}", ImageRef{"nginx", "latest"}},
		{"${IMAGE-mysql:8.4}", ImageRef{"mysql", "8.4"}},
		{"${REG:-docker.io}/library/postgres:${PG:-16}", ImageRef{"postgres", "16"}},
		{"${A:-${B:-redis}}", ImageRef{"redis", "latest"}},
		{"$REG/nginx", ImageRef{}},
		{"${REG}/nginx", ImageRef{}},
		{"${IMAGE:?set IMAGE}", ImageRef{}},
		{"postgres:${PG_VERSION}", ImageRef{"postgres", ""}},
		{"php:${PHP_VERSION}-apache", ImageRef{"php", "-apache"}},
		{"${BROKEN", ImageRef{}},
		{"", ImageRef{}},
		{"  ", ImageRef{}},
	}
	for _, tt := range tests {
		if got := ParseImageRef(tt.ref); got != tt.want {
			t.Errorf("ParseImageRef(%q) = %+v, want %+v", tt.ref, got, tt.want)
		}
	}
	if got := NormalizeImage("docker.io/library/nginx:1.27"); got != "nginx" {
		t.Errorf("NormalizeImage = %q, want nginx", got)
	}
}

// TestMatchPattern: names exactly, "*" for any text, a tag pattern after
// ":", its negation after ":!"; a longer literal pattern is more specific.
func TestMatchPattern(t *testing.T) {
	tests := []struct {
		pattern, ref string
		want         int
	}{
		{"nginx", "nginx:1.27", 5},
		{"nginx", "nginxinc/nginx-unprivileged", 0},
		{"nginx", "bitnami/nginx", 0},
		{"bitnami/*", "bitnami/nginx", 8},
		{"bitnami/*", "docker.io/bitnami/nginx", 8},
		{"bitnami/*", "bitnamilegacy/nginx", 0},
		{"lscr.io/linuxserver/*", "lscr.io/linuxserver/sonarr:latest", 20},
		{"php:*apache*", "php:8.3-apache-bookworm", 10},
		{"php:*apache*", "php:8.3-fpm", 0},
		{"php:*apache*", "php", 0},
		{"php:!*apache*", "php:8.3-fpm", 10},
		{"php:!*apache*", "php", 10},
		{"php:!*apache*", "php:8.3-apache", 0},
		{"influxdb:2*", "influxdb:2.7-alpine", 10},
		{"influxdb:2*", "influxdb:1.8", 0},
		{"influxdb:2*", "influxdb", 0},
		{"gitea/gitea:*rootless", "gitea/gitea:1.22-rootless", 20},
		{"otel/opentelemetry-collector*", "otel/opentelemetry-collector-contrib:0.110.0", 28},
		{"nginx", "$REG/nginx", 0},
	}
	for _, tt := range tests {
		if got := matchPattern(tt.pattern, ParseImageRef(tt.ref)); got != tt.want {
			t.Errorf("matchPattern(%q, %q) = %d, want %d", tt.pattern, tt.ref, got, tt.want)
		}
	}
}

// TestGlob: "*" stands for any text, also none; the literal text around
// the stars must not overlap.
func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"nginx", "nginx", true},
		{"nginx", "nginx2", false},
		{"*", "", true},
		{"*", "anything", true},
		{"a*", "a", true},
		{"a*", "ba", false},
		{"*-windows", "traefik-windows", true},
		{"*-windows", "-windows", true},
		{"*-windows", "windows", false},
		{"a*a", "a", false},
		{"a*a", "aa", true},
		{"a*a", "aba", true},
		{"*windows*", "ltsc-windowsservercore", true},
		{"*windows*", "windows", true},
		{"*windows*", "window", false},
		{"*-nano-*", "1.0-nano-1809", true},
		{"*-nano-*", "1.0-nano", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "acb", false},
		{"a*b*c", "axxbyyc", true},
	}
	for _, tt := range tests {
		if got := glob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

// FuzzParseImageRef: no panic, and a dropped variable never leaks into
// the name or tag as its marker.
func FuzzParseImageRef(f *testing.F) {
	for _, seed := range []string{"nginx", "docker.io/library/nginx:1@sha256:ab", "${A:-${B:-x}}:${T}", "$$x", "${", "localhost:5000/a", "a@b@c"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		r := ParseImageRef(ref)
		if strings.ContainsRune(r.Name, unknown) || strings.ContainsRune(r.Tag, unknown) || r.Name == "" && r.Tag != "" {
			t.Fatalf("ParseImageRef(%q) = %+v", ref, r)
		}
	})
}
