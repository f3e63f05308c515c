package learn

import (
	"slices"
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite/config"
)

// webService is what a trial learns for an nginx service named web: two
// scratch directories, one of them owned by nginx's user.
func webService() Learned {
	return Learned{
		Image:   "nginx",
		Service: "web",
		Tmpfs:   []string{"/run", "/var/cache/nginx:uid=101,gid=101"},
		Sources: []string{"rofix try on 2026-12-07 (docker diff)"},
	}
}

// appService is what a trial learns for a service that writes its pid file
// into a directory the image ships its configuration in: no tmpfs there,
// and a writable root.
func appService() Learned {
	return Learned{
		Image:      "localhost/app",
		Service:    "app",
		Tmpfs:      []string{"/tmp"},
		NoTmpfs:    []string{"/etc/app"},
		Verdict:    "no",
		Conditions: "writes app.pid into /etc/app, where the image ships app.conf: a tmpfs would hide them",
		Sources:    []string{"rofix try on 2026-12-07 (docker diff)"},
	}
}

// privService is what a trial learns of the privileges of an nginx
// service with the rules non-root and cap-drop on: it failed as the owner
// of its logs, and keeps four capabilities.
func privService() Learned {
	return Learned{
		Service:   "nginx",
		Caps:      []string{"CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"},
		NeedsRoot: "fails as 33:4 (owner of /var/log/nginx/access.log, which it wrote): exited 1: bind() to 0.0.0.0:80 failed (13: Permission denied)",
		Sources:   []string{"rofix try on 2026-12-07 (docker diff)"},
	}
}

// TestRecordService is the spec of recording a service's entry under
// services: each case is a config file before and after, byte for byte.
// Every result parses with the config parser, its override for the
// service holds every learned path, and recording again changes nothing.
func TestRecordService(t *testing.T) {
	const newWeb = `  web:
    tmpfs: [/run, "/var/cache/nginx:uid=101,gid=101"]
    confidence: learned
    sources: ["rofix try on 2026-12-07 (docker diff)"]
`
	cases := []struct {
		name          string
		l             Learned
		before, after string
		action        string
		// verdict is the verdict the parsed override must have.
		verdict string
	}{
		{
			name: "absent file: created with the header and services:", l: webService(),
			before: "",
			after:  configHeader + "services:\n" + newWeb,
			action: "added",
		},
		{
			name: "only images: the section is appended, images kept byte for byte", l: webService(),
			before: `# team config
images:
  - name: pg   # by hand
    match: [postgres]
    volumes: [/var/lib/postgresql]
`,
			after: `# team config
images:
  - name: pg   # by hand
    match: [postgres]
    volumes: [/var/lib/postgresql]
services:
` + newWeb,
			action: "added",
		},
		{
			name: "no final newline", l: webService(),
			before: "ro-mounts: binds",
			after:  "ro-mounts: binds\nservices:\n" + newWeb,
			action: "added",
		},
		{
			name: "services: with no value", l: webService(),
			before: "services:\nro-mounts: auto\n",
			after:  "services:\n" + newWeb + "ro-mounts: auto\n",
			action: "added",
		},
		{
			name: "services: {}: the braces go, a comment stays on the key's line", l: webService(),
			before: "services: {} # none yet\nro-mounts: auto\n",
			after:  "services: # none yet\n" + newWeb + "ro-mounts: auto\n",
			action: "added",
		},
		{
			name: "services: ~: the null goes, a comment stays on the key's line", l: webService(),
			before: "services: ~ # none yet\nro-mounts: auto\n",
			after:  "services: # none yet\n" + newWeb + "ro-mounts: auto\n",
			action: "added",
		},
		{
			name: "existing entries: appended after them in their indentation, before the comment lines that precede the next key", l: webService(),
			before: `services:
    db:   # the database
        volumes: [/var/lib/postgresql]   # state

        verdict: yes
    # cache: disabled for now

# images below
images: []
`,
			after: `services:
    db:   # the database
        volumes: [/var/lib/postgresql]   # state

        verdict: yes
    web:
      tmpfs: [/run, "/var/cache/nginx:uid=101,gid=101"]
      confidence: learned
      sources: ["rofix try on 2026-12-07 (docker diff)"]
    # cache: disabled for now

# images below
images: []
`,
			action: "added",
		},
		{
			name: "existing entry, flow lists: the missing tmpfs and the source appended", l: webService(),
			before: `services:
  web:
    tmpfs: [/run]   # scratch
    sources: [me]
  db:
    verdict: no
`,
			after: `services:
  web:
    tmpfs: [/run, "/var/cache/nginx:uid=101,gid=101"]   # scratch
    sources: [me, "rofix try on 2026-12-07 (docker diff)"]
  db:
    verdict: no
`,
			action: "updated",
		},
		{
			name: "existing entry, block lists: the missing tmpfs and no_tmpfs appended", l: appService(),
			before: `services:
  app:
    verdict: yes   # I checked: it runs read-only with a volume on /etc/app
    tmpfs:
      - /tmp
    no_tmpfs:
      - /var/lib/app   # ships its templates
    sources:
      - me
`,
			after: `services:
  app:
    verdict: yes   # I checked: it runs read-only with a volume on /etc/app
    tmpfs:
      - /tmp
    no_tmpfs:
      - /var/lib/app   # ships its templates
      - /etc/app
    sources:
      - me
      - "rofix try on 2026-12-07 (docker diff)"
`,
			action:  "updated",
			verdict: "yes",
		},
		{
			name: "a learned verdict no is added where the entry states none, with its reason", l: appService(),
			before: `services:
  app:
    tmpfs: [/tmp]
`,
			after: `services:
  app:
    no_tmpfs: [/etc/app]
    verdict: no
    conditions: "writes app.pid into /etc/app, where the image ships app.conf: a tmpfs would hide them"
    sources: ["rofix try on 2026-12-07 (docker diff)"]
    tmpfs: [/tmp]
`,
			action:  "updated",
			verdict: "no",
		},
		{
			name: "a new entry carries the learned verdict", l: appService(),
			before: "",
			after: configHeader + `services:
  app:
    tmpfs: [/tmp]
    no_tmpfs: [/etc/app]
    verdict: no
    conditions: "writes app.pid into /etc/app, where the image ships app.conf: a tmpfs would hide them"
    confidence: learned
    sources: ["rofix try on 2026-12-07 (docker diff)"]
`,
			action:  "added",
			verdict: "no",
		},
		{
			name: "an entry holding everything already: unchanged", l: webService(),
			before: `services:
  web:   # learned last week
    tmpfs: ["/var/cache/nginx:uid=101,gid=101", /run]
`,
			action: "unchanged",
		},
		{
			name: "a path the user declared as state stays state", l: webService(),
			before: `services:
  web:
    volumes: [/run, /var/cache/nginx]
`,
			action: "unchanged",
		},
		{
			name: "a path the user declared no_tmpfs gets no tmpfs", l: webService(),
			before: `services:
  web:
    no_tmpfs: [/var/cache/nginx]   # ships its templates
`,
			after: `services:
  web:
    tmpfs: [/run]
    sources: ["rofix try on 2026-12-07 (docker diff)"]
    no_tmpfs: [/var/cache/nginx]   # ships its templates
`,
			action: "updated",
		},
		{
			name: "privileges of a new service: caps, run_as quoted (numeric), needs_root", l: privService(),
			before: "services:\n  web:\n    tmpfs: [/run]\n",
			after: `services:
  web:
    tmpfs: [/run]
  nginx:
    caps: [CHOWN, NET_BIND_SERVICE, SETGID, SETUID]
    needs_root: "fails as 33:4 (owner of /var/log/nginx/access.log, which it wrote): exited 1: bind() to 0.0.0.0:80 failed (13: Permission denied)"
    confidence: learned
    sources: ["rofix try on 2026-12-07 (docker diff)"]
`,
			action: "added",
		},
		{
			name: "caps: [] is recorded (needs none), run_as added to an entry", l: Learned{Service: "redis", Caps: []string{}, RunAs: "101:102", Sources: []string{"rofix try on 2026-12-07 (docker diff)"}},
			before: "services:\n  redis:\n    volumes: [/var/lib/redis]\n",
			after: `services:
  redis:
    caps: []
    run_as: "101:102"
    sources: ["rofix try on 2026-12-07 (docker diff)"]
    volumes: [/var/lib/redis]
`,
			action: "updated",
		},
		{
			name: "privilege facts the entry states are kept: run_as keeps needs_root out", l: privService(),
			before: "services:\n  nginx:\n    caps: [CHOWN]   # by hand\n    run_as: \"33:33\"\n",
			after:  "",
			action: "unchanged",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, action, err := Record([]byte(c.before), c.l)
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
			checkService(t, got, c.l, c.verdict)
			again, action, err := Record(got, c.l)
			if err != nil || action != "unchanged" || string(again) != string(got) {
				t.Errorf("recording again: %s, %v:\n%s", action, err, again)
			}
		})
	}
}

// checkService parses a recorded config as rofix reads it and checks that
// the override of l.Service holds every learned path (a tmpfs, or the
// user's own volume or no_tmpfs on that path) and has verdict want ("":
// none).
func checkService(t *testing.T, src []byte, l Learned, want string) {
	t.Helper()
	cfg, err := config.Parse(".rofix.yaml", src)
	if err != nil {
		t.Fatalf("the recorded config does not parse: %v\n%s", err, src)
	}
	e := cfg.Services[l.Service]
	if e == nil {
		t.Fatalf("no override for service %s:\n%s", l.Service, src)
	}
	for _, tm := range l.Tmpfs {
		p := tmpfsPath(tm)
		ok := slices.Contains(e.Volumes, p) || slices.Contains(e.NoTmpfs, p) ||
			slices.ContainsFunc(e.Tmpfs, func(s string) bool { return tmpfsPath(s) == p && hasOptions(s, tm) })
		if !ok {
			t.Errorf("tmpfs %s missing from %+v", tm, e)
		}
	}
	for _, p := range l.NoTmpfs {
		if !slices.Contains(e.NoTmpfs, p) {
			t.Errorf("no_tmpfs %s missing from %v", p, e.NoTmpfs)
		}
	}
	for _, p := range l.Volumes {
		if !slices.Contains(e.Volumes, p) {
			t.Errorf("volume %s missing from %v", p, e.Volumes)
		}
	}
	if string(e.Verdict) != want {
		t.Errorf("verdict %q, want %q", e.Verdict, want)
	}
	if err := verifyPrivileges(*e, l); err != nil {
		t.Error(err)
	}
	if l.Caps != nil && len(l.Caps) == 0 && len(e.Caps) != 0 {
		t.Errorf("caps %v, want none", e.Caps)
	}
}

// TestRecordServiceVolumes: a learned state path goes under volumes, and
// a path the image declares VOLUME under image_volumes too.
func TestRecordServiceVolumes(t *testing.T) {
	l := Learned{
		Image: "redis", Service: "cache",
		Volumes: []string{"/data"}, ImageVolumes: []string{"/data"},
		Sources: []string{"rofix try on 2026-12-07 (docker diff)"},
	}
	got, action, err := Record([]byte("services:\n  web:\n    tmpfs: [/run]\n"), l)
	if err != nil || action != "added" {
		t.Fatalf("Record: %s, %v", action, err)
	}
	want := `services:
  web:
    tmpfs: [/run]
  cache:
    volumes: [/data]
    image_volumes: [/data]
    confidence: learned
    sources: ["rofix try on 2026-12-07 (docker diff)"]
`
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	checkService(t, got, l, "")
	cfg, _ := config.Parse(".rofix.yaml", got)
	if e := cfg.Services["cache"]; e == nil || !slices.Equal(e.ImageVolumes, []string{"/data"}) {
		t.Errorf("image_volumes not recorded: %+v", e)
	}
}

// TestRecordServiceErrors: a services: value learn cannot edit by small
// byte edits is an error naming its line, and nothing is returned to
// write.
func TestRecordServiceErrors(t *testing.T) {
	for _, c := range []struct{ src, msg string }{
		{"services:\n  - web\n", "line 2: services: want a mapping"},
		{"services: {web: {tmpfs: [/run]}}\n", "line 1: services is a flow mapping"},
		{"services: [web]\n", "line 1: services: want a mapping"},
		{"services:\n  web:\n", "line 2: services.web is empty"},
		{"services:\n  web: {tmpfs: [/run]}\n", "line 2: entry in flow form"},
		{"- a\n- b\n", "not a mapping"},
		{"services:\n  web: [unclosed\n", "yaml"},
	} {
		out, _, err := Record([]byte(c.src), webService())
		if err == nil {
			t.Errorf("%q: no error, got:\n%s", c.src, out)
			continue
		}
		if !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: error %q, want it to contain %q", c.src, err, c.msg)
		}
	}
}

// TestRecordServiceNeverInvalid: whatever the entry already says, Record
// either refuses with an error or returns a config rofix can read; it never
// writes a file the next "rofix -w" rejects (a tmpfs on a path the same
// entry lists as no_tmpfs or as state).
func TestRecordServiceNeverInvalid(t *testing.T) {
	for _, src := range []string{
		"services:\n  app:\n    no_tmpfs: [/tmp]\n",
		"services:\n  app:\n    tmpfs: [/etc/app]\n",
		"services:\n  app:\n    tmpfs:\n      - /etc/app:mode=1777\n",
		"services:\n  app:\n    volumes: [/tmp]\n",
	} {
		out, action, err := Record([]byte(src), appService())
		if err != nil {
			continue
		}
		if _, perr := config.Parse(".rofix.yaml", out); perr != nil {
			t.Errorf("%q: %s into a config rofix rejects: %v\n%s", src, action, perr, out)
		}
	}
}
