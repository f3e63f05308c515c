package config

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// The example of the package doc and the README, which `rofix learn` also
// writes to: it must load as documented.
const example = `# .rofix.yaml
ro-mounts: auto            # auto | binds | off (the --ro-mounts flag wins when given)
rules:                     # rule switches; every rule is on by default
  read-only: true
  tmpfs: true
  no-new-privileges: true
  ro-mounts: true
  cap-drop: false          # the opt-in rules are off unless switched on
  non-root: false
images:                    # entries in the built-in schema: they extend or override it
  - name: my nginx
    match: [registry.example.com/web]
    tmpfs: [/var/cache/nginx, "/run/app:uid=1000,gid=1000"]
    volumes: [/var/lib/app]
    caps: [CHOWN, SETGID, SETUID]   # what it needs back after cap_drop: [ALL]
    run_as: "101:101"      # a non-root UID:GID it runs correctly as
    verdict: yes
    confidence: learned
    sources: ["rofix learn on 2026-11-30"]
services:                  # per-service overrides, by compose service name
  web:                     # same fields as an image entry, without match
    tmpfs: [/var/cache/app]
    verdict: no
`

func TestParseExample(t *testing.T) {
	c, err := Parse(".rofix.yaml", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	auto := policy.ROMountsAuto
	want := &Config{
		Path:     ".rofix.yaml",
		ROMounts: &auto,
		Rules:    map[finding.Rule]bool{finding.ReadOnly: true, finding.Tmpfs: true, finding.NoNewPrivileges: true, finding.ROMounts: true, finding.CapDrop: false, finding.NonRoot: false},
		Images: []*policy.ImageEntry{{
			Name:       "my nginx",
			Match:      []string{"registry.example.com/web"},
			Tmpfs:      []string{"/var/cache/nginx", "/run/app:uid=1000,gid=1000"},
			Volumes:    []string{"/var/lib/app"},
			Caps:       []string{"CHOWN", "SETGID", "SETUID"},
			RunAs:      "101:101",
			Verdict:    policy.Works,
			Confidence: "learned",
			Sources:    []string{"rofix learn on 2026-11-30"},
		}},
		Services: map[string]*policy.ImageEntry{"web": {
			Name:       "service web",
			Tmpfs:      []string{"/var/cache/app"},
			Verdict:    policy.DoesNotWork,
			Confidence: DefaultConfidence,
			Sources:    []string{".rofix.yaml:21"},
		}},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Parse(example) =\n%s\nwant\n%s", dump(c), dump(want))
	}
}

// TestREADMEExample: the README shows the example this file tests.
func TestREADMEExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```yaml\n"+example+"```\n") {
		t.Errorf("README.md does not show the tested example config")
	}
}

func dump(c *Config) string {
	var b strings.Builder
	for _, e := range c.Images {
		fmt.Fprintf(&b, "image %+v\n", *e)
	}
	for name, e := range c.Services {
		fmt.Fprintf(&b, "service %s %+v\n", name, *e)
	}
	return b.String()
}

// TestParseDefaults: what an entry leaves out.
func TestParseDefaults(t *testing.T) {
	c, err := Parse("cfg.yaml", []byte("\nimages:\n  - match: [acme/app, acme/app2]\n    tmpfs: [/run]\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := c.Images[0]
	if e.Name != "acme/app" || e.Verdict != policy.Works || e.Confidence != "config" ||
		!reflect.DeepEqual(e.Sources, []string{"cfg.yaml:3"}) {
		t.Errorf("defaults: got name %q verdict %q confidence %q sources %q", e.Name, e.Verdict, e.Confidence, e.Sources)
	}
	c, err = Parse("cfg.yaml", []byte("images:\n  - match: [acme/cms]\n    from: \"php:*-apache\"\n    user: www-data\n    unset: [tmpfs /run]\n"+
		"    verdict: cond\n    checks: [{env: CMS_PLUGINS, unset: true, why: it writes them}, {user: non-root}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if e := c.Images[0]; e.From != "php:*-apache" || e.User != "www-data" || !reflect.DeepEqual(e.Unset, []string{"tmpfs /run"}) ||
		!reflect.DeepEqual(e.Checks, []policy.Check{{Env: "CMS_PLUGINS", Unset: true, Why: "it writes them"}, {User: "non-root"}}) {
		t.Errorf("from, user, unset, checks: got %+v", e)
	}
	if c, err := Parse("cfg.yaml", []byte("images:\n  - match: [acme/cms]\n    from: \"php:*-apache\"\n")); err != nil || c.Images[0].Verdict != "" {
		t.Errorf("an entry with from: and no verdict: %+v, %v; want the base's verdict (none of its own)", c, err)
	}
	if c.ROMounts != nil || c.Rules != nil || c.Services != nil {
		t.Errorf("unset sections are set: %+v", c)
	}
	for _, src := range []string{"", "# only a comment\n", "---\n", "null\n"} {
		c, err := Parse("cfg.yaml", []byte(src))
		if err != nil || c.ROMounts != nil || len(c.Images) != 0 {
			t.Errorf("Parse(%q) = %+v, %v; want an empty config", src, c, err)
		}
	}
}

// TestParseErrors: every error names the file, line and column of the
// offending key or value, and says what is wanted.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"unknown key in an image entry", "images:\n  - match: [x]\n    tmpfs: [/a]\n  - match: [y]\n\n\n    tmpfss: [/b]\n",
			[]string{`.rofix.yaml:7:5: unknown key "tmpfss" in images[1] (known: name, match, from, unset, user, caps, run_as, needs_root, tmpfs, volumes, image_volumes, optional_volumes, no_tmpfs, env, verdict, checks, conditions, traits, confidence, sources)`}},
		{"unknown top-level key", "ro_mounts: binds\n",
			[]string{`.rofix.yaml:1:1: unknown key "ro_mounts" in the config file (known: ro-mounts, rules, images, services, include, exclude)`}},
		{"bad include glob", "include:\n  - tests/compose.yml\n  - \"tests/[a\"\n",
			[]string{`.rofix.yaml:3:5: include[1] is "tests/[a": bad pattern: unclosed [ or trailing \ (want a glob relative to the config file's directory, such as deploy/** or **/*.test.yaml)`}},
		{"absolute exclude glob", "exclude: [/etc/x]\n",
			[]string{`.rofix.yaml:1:11: exclude[0] is "/etc/x": pattern starts with /: patterns are relative (want a glob relative to the config file's directory, such as deploy/** or **/*.test.yaml)`}},
		{"include not a list", "include: tests\n",
			[]string{`.rofix.yaml:1:10: include must be a list of strings, not a string`}},
		{"unknown rule", "rules:\n  readonly: false\n",
			[]string{`.rofix.yaml:2:3: unknown rule "readonly" in rules (rules: read-only, tmpfs, no-new-privileges, ro-mounts, cap-drop, non-root)`}},
		{"bad capabilities", "images:\n  - match: [x]\n    caps: [CHOWN, cap_foo, ALL]\n",
			[]string{`.rofix.yaml:3:19: images[0].caps[1] is "cap_foo": want a Linux capability name such as CHOWN, SETUID or NET_BIND_SERVICE`,
				`.rofix.yaml:3:28: images[0].caps[2] is "ALL": want a Linux capability name such as CHOWN, SETUID or NET_BIND_SERVICE`}},
		{"caps not a list", "services:\n  db:\n    caps: CHOWN\n",
			[]string{`.rofix.yaml:3:11: services.db.caps must be a list of strings, not a string`}},
		{"run_as by name", "services:\n  db:\n    run_as: postgres\n",
			[]string{`.rofix.yaml:3:13: run_as "postgres": want a numeric UID:GID such as "999:999"`}},
		{"run_as root", "services:\n  db:\n    run_as: \"0:0\"\n",
			[]string{`.rofix.yaml:3:13: run_as "0:0" is root: want the image's unprivileged user`}},
		{"run_as and needs_root", "services:\n  db:\n    run_as: \"1:1\"\n    needs_root: it chowns\n",
			[]string{`.rofix.yaml:3:5: services.db: service db: run_as and needs_root contradict each other`}},
		{"needs_root empty", "services:\n  db:\n    needs_root: \"\"\n",
			[]string{`.rofix.yaml:3:17: services.db.needs_root wants the reason the image must start as root, in words`}},
		{"opt-in rule not a boolean", "rules:\n  cap-drop: yes\n",
			[]string{`.rofix.yaml:2:13: rules.cap-drop must be true or false, not "yes"`}},
		{"rule not a boolean", "rules:\n  tmpfs: no\n",
			[]string{`.rofix.yaml:2:10: rules.tmpfs must be true or false, not "no"`}},
		{"bad ro-mounts", "ro-mounts: all\n",
			[]string{`.rofix.yaml:1:12: ro-mounts is "all": want auto, binds or off`}},
		{"bad verdict", "services:\n  web:\n    verdict: maybe\n",
			[]string{`.rofix.yaml:3:14: services.web.verdict is "maybe": want yes, cond or no`}},
		{"relative path", "images:\n  - match: [x]\n    volumes: [data]\n",
			[]string{`.rofix.yaml:3:15: images[0].volumes[0]: "data" is not an absolute path`}},
		{"tmpfs under /var/run", "services:\n  web:\n    tmpfs: [/var/run/app]\n",
			[]string{`.rofix.yaml:3:13: services.web.tmpfs[0]: "/var/run/app" goes through a symlink: write /run/app (a tmpfs on a symlink fails)`}},
		{"volume under /var/lock", "services:\n  web:\n    volumes: [/var/lock]\n",
			[]string{`.rofix.yaml:3:15: services.web.volumes[0]: "/var/lock" goes through a symlink: write /run/lock (a tmpfs on a symlink fails)`}},
		{"a tmpfs on the entry's own state path", "images:\n  - match: [acme/db]\n    tmpfs: [/var/lib/db/tmp]\n    volumes: [/var/lib/db]\n",
			[]string{`.rofix.yaml:2:5: images[0]: acme/db: tmpfs /var/lib/db/tmp is also a state or no-tmpfs path`}},
		{"the same in a service", "services:\n  db:\n    tmpfs: [/srv]\n    no_tmpfs: [/srv/static]\n",
			[]string{`.rofix.yaml:3:5: services.db: service db: tmpfs /srv is also a state or no-tmpfs path`}},
		{"a digest in a pattern", "images:\n  - match: [\"nginx@sha256:abc\"]\n",
			[]string{`.rofix.yaml:2:5: images[0]: nginx@sha256:abc: invalid match pattern "nginx@sha256:abc"`}},
		{"unclean path", "services:\n  web:\n    no_tmpfs: [/a/../b]\n",
			[]string{`.rofix.yaml:3:16: services.web.no_tmpfs[0]: "/a/../b" is not a clean path: write /b`}},
		{"unknown tmpfs option", "services:\n  web:\n    tmpfs: [\"/run:uid=1000,exe\"]\n",
			[]string{`.rofix.yaml:3:13: services.web.tmpfs[0]: unknown tmpfs option "exe" in "/run:uid=1000,exe" (known: exec, noexec, uid=, gid=, mode=, size=, ...)`}},
		{"bad tmpfs option value", "services:\n  web:\n    tmpfs: [\"/run:uid=postgres\"]\n",
			[]string{`.rofix.yaml:3:13: services.web.tmpfs[0]: option "uid=postgres" of "/run:uid=postgres": uid= wants a value like 1000`}},
		{"a string where a list goes", "images:\n  - match: nginx\n",
			[]string{`.rofix.yaml:2:12: images[0].match must be a list of strings, not a string`}},
		{"a mapping where a string goes", "images:\n  - match: [x]\n    name: {a: b}\n",
			[]string{`.rofix.yaml:3:11: images[0].name must be a string, not a mapping`}},
		{"images not a list", "images:\n  nginx: {}\n",
			[]string{`.rofix.yaml:2:3: images must be a list of image entries, not a mapping`}},
		{"entry without match", "images:\n  - tmpfs: [/run]\n",
			[]string{`.rofix.yaml:2:5: images[0] has no match patterns: it would apply to no image`}},
		{"match in a service", "services:\n  web:\n    match: [nginx]\n",
			[]string{`.rofix.yaml:3:5: a service override has no match: it applies to service web by name`}},
		{"service not a mapping", "services:\n  web: [/tmp]\n",
			[]string{`.rofix.yaml:2:8: services.web must be a mapping, not a list`}},
		{"env without name", "services:\n  web:\n    env:\n      - value: \"1\"\n",
			[]string{`.rofix.yaml:4:9: services.web.env[0] has no name`}},
		{"unknown env key", "services:\n  web:\n    env:\n      - {name: A, val: \"1\"}\n",
			[]string{`.rofix.yaml:4:19: unknown key "val" in services.web.env[0] (known: name, value, why, required, any_value)`}},
		{"required not a boolean", "services:\n  vault:\n    env:\n      - {name: S, value: \"1\", required: \"yes\"}\n",
			[]string{`.rofix.yaml:4:41: services.vault.env[0].required must be true or false, not "yes"`}},
		{"optional volume not a volume", "images:\n  - match: [x]\n    volumes: [/a]\n    optional_volumes: [/b]\n",
			[]string{`.rofix.yaml:2:5: images[0]: x: optional volume /b is not among its volumes`}},
		{"image volume relative", "images:\n  - match: [x]\n    image_volumes: [data]\n",
			[]string{`.rofix.yaml:3:21: images[0].image_volumes[0]: "data" is not an absolute path`}},
		{"unknown trait", "services:\n  web:\n    traits: [s6-overlay]\n",
			[]string{`.rofix.yaml:3:14: services.web.traits[0] is "s6-overlay": want s6 or jvm`}},
		{"unknown confidence", "images:\n  - match: [x]\n    confidence: sure\n",
			[]string{`.rofix.yaml:3:17: images[0].confidence is "sure": want one of verified, documented, reported, guessed, learned, config`}},
		{"duplicate key", "rules:\n  tmpfs: false\n  tmpfs: true\n",
			[]string{`.rofix.yaml:3:3: duplicate key "tmpfs" in rules (first at line 2)`}},
		{"top level not a mapping", "- images\n",
			[]string{`.rofix.yaml:1:1: the config file must be a mapping, not a list`}},
		{"two documents", "rules: {}\n---\nrules: {}\n",
			[]string{`.rofix.yaml:2:1: a config file holds one YAML document, not several`}},
		{"invalid YAML", "images:\n  - match: [x\n",
			[]string{`.rofix.yaml:2: invalid YAML: did not find expected ',' or ']'`}},
		{"every error is reported", "rules:\n  tmpfs: 1\nimages:\n  - match: [x]\n    volume: [/a]\n",
			[]string{`.rofix.yaml:2:10: rules.tmpfs must be true or false, not "1"`,
				`.rofix.yaml:5:5: unknown key "volume" in images[0] (known: name, match, from, unset, user, caps, run_as, needs_root, tmpfs, volumes, image_volumes, optional_volumes, no_tmpfs, env, verdict, checks, conditions, traits, confidence, sources)`}},
		{"unknown check key", "images:\n  - match: [x]\n    verdict: cond\n    checks: [{env: A, unset: true, mounted: /x}]\n",
			[]string{`.rofix.yaml:4:36: unknown key "mounted" in images[0].checks[0] (known: env, value, set, unset, mount, user, why)`}},
		{"a check of two kinds", "images:\n  - match: [x]\n    verdict: cond\n    checks: [{env: A, mount: /x}]\n",
			[]string{`.rofix.yaml:2:5: images[0]: x: a check has exactly one of env, mount and user, not 2`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(".rofix.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", c)
			}
			if c != nil {
				t.Errorf("Parse returned a config with an error")
			}
			if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestParseAccepts: forms that are valid.
func TestParseAccepts(t *testing.T) {
	for _, src := range []string{
		"rules:\n  read-only: False\n",
		"services:\n  web:\n    tmpfs: [\"/run:exec,mode=1777,size=64m,uid=999,gid=999\", \"/var/cache/nginx\"]\n",
		"services:\n  web: {}\n",
		"services:\n  web:\n    tmpfs:\n",
		"services:\n  a: &s {tmpfs: [/a]}\n  b: *s\n",
		"images:\n  - &e {match: [a], tmpfs: [/a]}\n  - *e\n",
		"services:\n  vault:\n    env:\n      - {name: SKIP_SETCAP, value: 1, why: no setcap on a read-only root}\n",
	} {
		if _, err := Parse("cfg.yaml", []byte(src)); err != nil {
			t.Errorf("Parse(%q): %v", src, err)
		}
	}
}

// TestApply: how a config turns the command line's policy into a file's.
func TestApply(t *testing.T) {
	c, err := Parse(".rofix.yaml", []byte("ro-mounts: binds\nrules:\n  tmpfs: false\n  read-only: true\n  ro-mounts: false\n"+
		"images:\n  - match: [acme/app]\n    tmpfs: [/var/cache/app]\nservices:\n  web:\n    tmpfs: [/srv/tmp]\n"))
	if err != nil {
		t.Fatal(err)
	}
	base := policy.Default()
	baseImages := base.Images
	p := c.Apply(base, false)
	if p.ROMounts != policy.ROMountsBinds {
		t.Errorf("ro-mounts = %v, want binds from the config", p.ROMounts)
	}
	if want := []finding.Rule{finding.Tmpfs, finding.ROMounts}; !reflect.DeepEqual(p.Off, want) {
		t.Errorf("Off = %v, want %v", p.Off, want)
	}
	if p.Images == nil || p.Services["web"] == nil {
		t.Fatalf("images or services not applied: %+v", p)
	}
	found := false
	for _, e := range p.Images.Entries {
		found = found || e == c.Images[0]
	}
	if !found {
		t.Errorf("the config's image entry is not in the policy's knowledge")
	}
	if p := c.Apply(base, true); p.ROMounts != base.ROMounts {
		t.Errorf("with --ro-mounts given, ro-mounts = %v, want the flag's %v", p.ROMounts, base.ROMounts)
	}
	if base.Off != nil || base.Services != nil || base.Images != baseImages {
		t.Errorf("Apply changed its base: %+v", base)
	}
	if got := p.NeedsFor("web", "nginx").Tmpfs; !contains(got, "/srv/tmp") {
		t.Errorf("NeedsFor(web) tmpfs = %q, want the service's /srv/tmp", got)
	}
}

// TestApplyOptIn: rules: switches the opt-in rules on; --enable (the
// base's On) wins over a false there; they never land in Off.
func TestApplyOptIn(t *testing.T) {
	c, err := Parse(".rofix.yaml", []byte("rules:\n  cap-drop: true\n  non-root: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Apply(policy.Default(), false)
	if !p.RuleOn(finding.CapDrop) || p.RuleOn(finding.NonRoot) || len(p.Off) != 0 {
		t.Errorf("config alone: On %v Off %v, want cap-drop on, non-root off", p.On, p.Off)
	}
	base := policy.Default()
	base.On = []finding.Rule{finding.NonRoot}
	p = c.Apply(base, false)
	if !p.RuleOn(finding.CapDrop) || !p.RuleOn(finding.NonRoot) || len(base.On) != 1 {
		t.Errorf("with --enable non-root: On %v, want both (the flag wins over non-root: false), base untouched %v", p.On, base.On)
	}
	if p := (&Config{}).Apply(policy.Default(), false); p.RuleOn(finding.CapDrop) || p.RuleOn(finding.NonRoot) {
		t.Errorf("no config: On %v, want the opt-in rules off", p.On)
	}
}

// TestParsePrivilegeKeys: caps (any spelling, made canonical and sorted;
// [] is none, null unknown), run_as and needs_root load into the entry.
func TestParsePrivilegeKeys(t *testing.T) {
	src := "images:\n  - match: [my/db]\n    caps: [setuid, CAP_CHOWN, chown]\n    run_as: \"999:999\"\n" +
		"services:\n  web:\n    caps: []\n    needs_root: binds port 80\n  api:\n    caps:\n"
	c, err := Parse(".rofix.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if e := c.Images[0]; !reflect.DeepEqual(e.Caps, []string{"CHOWN", "SETUID"}) || e.RunAs != "999:999" {
		t.Errorf("image entry caps %q run_as %q", e.Caps, e.RunAs)
	}
	if e := c.Services["web"]; e.Caps == nil || len(e.Caps) != 0 || e.NeedsRoot != "binds port 80" {
		t.Errorf("service web caps %#v needs_root %q", e.Caps, e.NeedsRoot)
	}
	if e := c.Services["api"]; e.Caps != nil {
		t.Errorf("service api caps %#v, want nil (unknown)", e.Caps)
	}
	p := c.Apply(policy.Default(), false)
	if n := p.NeedsFor("web", "my/db"); !n.CapsKnown || len(n.Caps) != 0 || n.RunAs != "" || n.NeedsRoot != "binds port 80" {
		t.Errorf("NeedsFor(web): %+v", n)
	}
	if n := p.NeedsFor("db", "my/db:1"); strings.Join(n.Caps, ",") != "CHOWN,SETUID" || n.RunAs != "999:999" {
		t.Errorf("NeedsFor(db): caps %q run_as %q", n.Caps, n.RunAs)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestParseStateAndEnvKeys: the keys that decide whether read-only is
// withheld load into the entry as in the built-in table.
func TestParseStateAndEnvKeys(t *testing.T) {
	src := "images:\n  - match: [my/vault]\n    volumes: [/vault/file, /data]\n    image_volumes: [/vault/file]\n    optional_volumes: [/vault/file]\n" +
		"    env:\n      - {name: SKIP_SETCAP, value: \"1\", required: true, any_value: true}\n"
	c, err := Parse(".rofix.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	e := c.Images[0]
	if !reflect.DeepEqual(e.ImageVolumes, []string{"/vault/file"}) || !reflect.DeepEqual(e.OptionalVolumes, []string{"/vault/file"}) ||
		e.Env[0] != (policy.EnvSetting{Name: "SKIP_SETCAP", Value: "1", Required: true, AnyValue: true}) {
		t.Errorf("entry %+v", e)
	}
}
