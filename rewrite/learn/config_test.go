package learn

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/policy"
)

// pg is what learn records for the PostgreSQL container of the real-servers
// image (see learn_test.go).
var pg = Learned{
	Image:   "localhost/realapps-postgres",
	Tmpfs:   []string{"/run/postgresql:uid=103,gid=105"},
	Volumes: []string{"/var/lib/postgresql"},
	Sources: []string{"rofix learn: container db on 2026-11-30 (docker diff)"},
}

// TestRecord is the config editing spec: each case is a config file before
// and after recording pg.
func TestRecord(t *testing.T) {
	cases := []struct {
		name, before, after, action string
	}{
		{"absent file is created", "", configHeader + `images:
  - name: localhost/realapps-postgres
    match: [localhost/realapps-postgres]
    tmpfs: ["/run/postgresql:uid=103,gid=105"]
    volumes: [/var/lib/postgresql]
    verdict: yes
    confidence: learned
    sources: ["rofix learn: container db on 2026-11-30 (docker diff)"]
`, "added"},
		{"no images key: appended, other keys and comments kept", "# mine\nro-mounts: binds # all\n", `# mine
ro-mounts: binds # all
images:
  - name: localhost/realapps-postgres
    match: [localhost/realapps-postgres]
    tmpfs: ["/run/postgresql:uid=103,gid=105"]
    volumes: [/var/lib/postgresql]
    verdict: yes
    confidence: learned
    sources: ["rofix learn: container db on 2026-11-30 (docker diff)"]
`, "added"},
		{"no final newline", "ro-mounts: binds", `ro-mounts: binds
images:
  - name: localhost/realapps-postgres
    match: [localhost/realapps-postgres]
    tmpfs: ["/run/postgresql:uid=103,gid=105"]
    volumes: [/var/lib/postgresql]
    verdict: yes
    confidence: learned
    sources: ["rofix learn: container db on 2026-11-30 (docker diff)"]
`, "added"},
		{"empty flow list", "images: [] # none yet\nro-mounts: auto\n", `images: # none yet
  - name: localhost/realapps-postgres
    match: [localhost/realapps-postgres]
    tmpfs: ["/run/postgresql:uid=103,gid=105"]
    volumes: [/var/lib/postgresql]
    verdict: yes
    confidence: learned
    sources: ["rofix learn: container db on 2026-11-30 (docker diff)"]
ro-mounts: auto
`, "added"},
		{"new entry after the others, in their indentation, before the next key's comment", `images:
- name: web
  match: [nginx]   # the official one
  tmpfs: [/var/cache/nginx, /run]
  verdict: yes
  confidence: verified
  sources: [mine]

# services below
services:
  web: {read_only: false}
`, `images:
- name: web
  match: [nginx]   # the official one
  tmpfs: [/var/cache/nginx, /run]
  verdict: yes
  confidence: verified
  sources: [mine]
- name: localhost/realapps-postgres
  match: [localhost/realapps-postgres]
  tmpfs: ["/run/postgresql:uid=103,gid=105"]
  volumes: [/var/lib/postgresql]
  verdict: yes
  confidence: learned
  sources: ["rofix learn: container db on 2026-11-30 (docker diff)"]

# services below
services:
  web: {read_only: false}
`, "added"},
		{"existing entry: missing paths merged, not duplicated (flow lists)", `images:
  - name: pg # by hand
    match: [localhost/realapps-postgres]
    tmpfs: [/tmp] # scratch
    verdict: yes
    confidence: guessed
    sources: [me]
`, `images:
  - name: pg # by hand
    match: [localhost/realapps-postgres]
    volumes: [/var/lib/postgresql]
    tmpfs: [/tmp, "/run/postgresql:uid=103,gid=105"] # scratch
    verdict: yes
    confidence: guessed
    sources: [me, "rofix learn: container db on 2026-11-30 (docker diff)"]
`, "updated"},
		{"existing entry: options added to a path without them (block lists)", `images:
  - name: pg
    match:
      - localhost/realapps-postgres
    tmpfs:
      - /run/postgresql:size=1m   # small
    volumes:
      - /var/lib/postgresql
    verdict: yes
    confidence: learned
    sources:
      - 'first run'
`, `images:
  - name: pg
    match:
      - localhost/realapps-postgres
    tmpfs:
      - "/run/postgresql:size=1m,uid=103,gid=105"   # small
    volumes:
      - /var/lib/postgresql
    verdict: yes
    confidence: learned
    sources:
      - 'first run'
      - "rofix learn: container db on 2026-11-30 (docker diff)"
`, "updated"},
		{"a path declared as state by hand stays state", `images:
  - name: pg
    match: [localhost/realapps-postgres]
    volumes: [/run/postgresql, /var/lib/postgresql]
    verdict: yes
    confidence: learned
    sources: [x]
`, "", "unchanged"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, action, err := Record([]byte(c.before), pg)
			if err != nil {
				t.Fatal(err)
			}
			if action != c.action {
				t.Errorf("action %q, want %q", action, c.action)
			}
			want := c.after
			if c.action == "unchanged" {
				want = c.before
			}
			if string(got) != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			// Recording again changes nothing.
			again, action, err := Record(got, pg)
			if err != nil || action != "unchanged" || string(again) != string(got) {
				t.Errorf("second record: %s, %v:\n%s", action, err, again)
			}
		})
	}
}

// TestRecordErrors: what learn cannot edit is an error, never a rewrite.
func TestRecordErrors(t *testing.T) {
	for _, src := range []string{
		"- a\n- b\n",
		"images: {a: b}\n",
		"images: [{name: x, match: [y]}]\n",
		"images:\n  - name: [unclosed\n",
	} {
		if out, _, err := Record([]byte(src), pg); err == nil {
			t.Errorf("%q: no error, got:\n%s", src, out)
		} else if !strings.Contains(err.Error(), "line") && !strings.Contains(err.Error(), "yaml") {
			t.Errorf("%q: error without a position: %v", src, err)
		}
	}
}

// TestRecordImageVolumes: a state path the image declares a VOLUME is
// recorded under image_volumes too, and added to an entry that lacks it;
// the learned entry then tells rofix that read-only needs no mount there.
func TestRecordImageVolumes(t *testing.T) {
	redis := Learned{
		Image:        "localhost/redis",
		Volumes:      []string{"/data"},
		ImageVolumes: []string{"/data"},
		Sources:      []string{"rofix learn: container cache on 2026-11-30 (docker diff)"},
	}
	out, action, err := Record(nil, redis)
	if err != nil || action != "added" {
		t.Fatalf("Record: %v, %s", err, action)
	}
	if !strings.Contains(string(out), "    volumes: [/data]\n    image_volumes: [/data]\n") {
		t.Errorf("new entry lacks image_volumes:\n%s", out)
	}
	before := "images:\n  - name: mine\n    match: [localhost/redis]\n    volumes: [/data]\n    verdict: yes\n    sources: [me]\n"
	out, action, err = Record([]byte(before), redis)
	if err != nil || action != "updated" {
		t.Fatalf("Record over an entry without image_volumes: %v, %s", err, action)
	}
	if !strings.Contains(string(out), "image_volumes: [/data]") || !strings.Contains(string(out), "    volumes: [/data]\n") {
		t.Errorf("merged entry:\n%s", out)
	}
	if again, action, err := Record(out, redis); err != nil || action != "unchanged" || string(again) != string(out) {
		t.Errorf("second Record: %v, %s", err, action)
	}

	var cfg struct {
		Images []*policy.ImageEntry `yaml:"images"`
	}
	if err := yaml.Unmarshal(out, &cfg); err != nil {
		t.Fatal(err)
	}
	needs := policy.Builtin().With(cfg.Images).Lookup("localhost/redis:7")
	if applied := policy.Apply(needs, policy.Container{}); !applied.ReadOnly {
		t.Errorf("with the learned image volume, read-only is withheld: %+v", applied)
	}
	cfg.Images[0].ImageVolumes = nil
	needs = policy.Builtin().With(cfg.Images).Lookup("localhost/redis:7")
	if policy.Apply(needs, policy.Container{}).ReadOnly {
		t.Errorf("without image_volumes, a state path with nothing mounted must withhold read-only")
	}
}
