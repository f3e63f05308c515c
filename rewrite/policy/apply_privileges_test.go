package policy

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite/finding"
)

// TestApplyPrivileges is the contract of the opt-in rules non-root and
// cap-drop, branch by branch (see apply_privileges.go).
func TestApplyPrivileges(t *testing.T) {
	both := []finding.Rule{finding.CapDrop, finding.NonRoot}
	pg := &ImageEntry{Name: "postgres", Verdict: Works}
	known := func(n Needs) Needs {
		n.Image, n.Entries, n.Verdict = "postgres:17", []*ImageEntry{pg}, Works
		if n.Tmpfs == nil {
			n.Tmpfs = []string{"/tmp"}
		}
		return n
	}
	caps := []string{"CHOWN", "SETGID", "SETUID"}
	withCaps := known(Needs{Caps: caps, CapsKnown: true, CapsFrom: "postgres: .rofix.yaml:3"})
	runAs := known(Needs{Tmpfs: []string{"/run/postgresql", "/tmp"}, Volumes: []string{"/var/lib/postgresql/data"},
		RunAs: "999:999", RunAsFrom: "postgres: .rofix.yaml:3", Caps: caps, CapsKnown: true, CapsFrom: "postgres: .rofix.yaml:3"})
	type note struct {
		rule         finding.Rule
		fixed, quiet bool
		text         string // a substring
	}
	tests := []struct {
		name    string
		needs   Needs
		c       Container
		capDrop bool
		capAdd  []string
		user    string
		tmpfs   []string // nil: not checked
		notes   []note
	}{
		// non-root
		{name: "run_as known: the user is set, the tmpfs it writes gets its uid and gid, /tmp stays as it is",
			needs: runAs, c: Container{On: []finding.Rule{finding.NonRoot}, Mounts: []MountPoint{{Target: "/var/lib/postgresql/data"}}},
			user: "999:999", tmpfs: []string{"/run/postgresql:uid=999,gid=999", "/tmp"},
			notes: []note{{finding.NonRoot, true, false, "postgres runs correctly as its unprivileged user 999:999 (postgres: .rofix.yaml:3)"}}},
		{name: "run_as: an entry that sets its owner is kept",
			needs: known(Needs{Tmpfs: []string{"/run/pg:mode=0700", "/tmp"}, RunAs: "70:70"}), c: Container{On: both[1:]},
			user: "70:70", tmpfs: []string{"/run/pg:mode=0700", "/tmp"},
			notes: []note{{finding.NonRoot, true, false, "its unprivileged user 70:70"}}},
		{name: "user root set in the file is kept, reported",
			needs: runAs, c: Container{On: both[1:], UserSet: true, User: "root"},
			notes: []note{{finding.NonRoot, false, false, "user root set in the file: kept"}}},
		{name: "a user set in the file is kept, root reported",
			needs: runAs, c: Container{On: both[1:], UserSet: true, User: "0:0"}, tmpfs: []string{"/run/postgresql", "/tmp"},
			notes: []note{{finding.NonRoot, false, false, "user 0:0 (root) set in the file: kept"}}},
		{name: "a non-root user set in the file is kept silently",
			needs: runAs, c: Container{On: both[1:], UserSet: true, User: "postgres"}},
		{name: "a user from a variable is kept silently",
			needs: runAs, c: Container{On: both[1:], UserSet: true, User: "${UID}:${GID}"}},
		{name: "an image whose USER is non-root needs nothing",
			needs: known(Needs{User: "node"}), c: Container{On: both[1:]},
			notes: []note{{finding.NonRoot, false, true, "postgres runs as its own user node: nothing to add"}}},
		{name: "the USER of a Dockerfile built here counts as the image's",
			needs: Needs{Tmpfs: []string{"/tmp"}, Verdict: Works}, c: Container{On: both[1:], User: "app"},
			notes: []note{{finding.NonRoot, false, true, "the image built here runs as its own user app"}}},
		{name: "run_as withheld: a host directory on a state path",
			needs: runAs, c: Container{On: both[1:], Mounts: []MountPoint{{Target: "/var/lib/postgresql/data"}},
				Role: Role{Binds: []Bind{{Source: "./data", Target: "/var/lib/postgresql/data"}}}},
			notes: []note{{finding.NonRoot, false, false, "the host directory ./data is mounted on /var/lib/postgresql/data"}}},
		{name: "run_as withheld: the engine refuses uid= on a tmpfs",
			needs: runAs, c: Container{On: both[1:], Mounts: []MountPoint{{Target: "/var/lib/postgresql/data"}}, DropOptions: []string{"uid", "gid"}},
			notes: []note{{finding.NonRoot, false, false, "the engine refuses uid= on a tmpfs, so the tmpfs on /run/postgresql would be root's"}}},
		{name: "needs_root is reported",
			needs: known(Needs{NeedsRoot: "its entrypoint chowns the data directory", RunAsFrom: "postgres: x"}), c: Container{On: both[1:]},
			notes: []note{{finding.NonRoot, false, false, "postgres must start as root: its entrypoint chowns the data directory (postgres: x)"}}},
		{name: "an unknown image is reported",
			needs: Needs{Image: "example/app", Tmpfs: []string{"/tmp"}, Verdict: Works}, c: Container{On: both[1:]},
			notes: []note{{finding.NonRoot, false, false, "rofix does not know whether example/app runs as a non-root user; `rofix try` proves it"}}},
		{name: "an image USER root does not count as non-root",
			needs: known(Needs{User: "root", RunAs: "1:1"}), c: Container{On: both[1:]}, user: "1:1",
			notes: []note{{finding.NonRoot, true, false, "its unprivileged user 1:1"}}},

		// cap-drop
		{name: "caps known: drop ALL, add them back",
			needs: withCaps, c: Container{On: both[:1], NoNewPrivs: true}, capDrop: true, capAdd: caps,
			notes: []note{{finding.CapDrop, true, false, "every capability dropped, CHOWN, SETGID, SETUID added back: what postgres needs (postgres: .rofix.yaml:3)"}}},
		{name: "caps: [] needs none",
			needs: known(Needs{Caps: []string{}, CapsKnown: true, CapsFrom: "postgres: x"}), c: Container{On: both[:1]}, capDrop: true,
			notes: []note{{finding.CapDrop, true, false, "every capability dropped: postgres needs none (postgres: x)"}}},
		{name: "non-root under no-new-privileges: drop ALL, add nothing",
			needs: runAs, c: Container{On: both, NoNewPrivs: true, Mounts: []MountPoint{{Target: "/var/lib/postgresql/data"}}}, capDrop: true, user: "999:999",
			notes: []note{{finding.NonRoot, true, false, "its unprivileged user 999:999"},
				{finding.CapDrop, true, false, "the container runs as user 999:999 under no-new-privileges, and a non-root process gains no capability"}}},
		{name: "non-root without no-new-privileges: the caps of the image",
			needs: runAs, c: Container{On: both, Mounts: []MountPoint{{Target: "/var/lib/postgresql/data"}}}, capDrop: true, capAdd: caps, user: "999:999",
			notes: []note{{finding.NonRoot, true, false, "its unprivileged user 999:999"}, {finding.CapDrop, true, false, "CHOWN, SETGID, SETUID added back"}}},
		{name: "the image's non-root USER under no-new-privileges, non-root off",
			needs: known(Needs{User: "101"}), c: Container{On: both[:1], NoNewPrivs: true}, capDrop: true,
			notes: []note{{finding.CapDrop, true, false, "runs as user 101 under no-new-privileges"}}},
		{name: "the file's non-root user under no-new-privileges",
			needs: Needs{Image: "example/app", Tmpfs: []string{"/tmp"}, Verdict: Works}, c: Container{On: both[:1], NoNewPrivs: true, UserSet: true, User: "1000"}, capDrop: true,
			notes: []note{{finding.CapDrop, true, false, "runs as user 1000 under"}}},
		{name: "cap_drop ALL in the file: kept, a quiet note",
			needs: withCaps, c: Container{On: both[:1], CapDrop: []string{"all"}, CapAdd: []string{"NET_BIND_SERVICE"}},
			notes: []note{{finding.CapDrop, false, true, "capabilities set in the file (drop all, add NET_BIND_SERVICE): kept"}}},
		{name: "cap_add without a drop of ALL: kept, reported",
			needs: withCaps, c: Container{On: both[:1], CapAdd: []string{"NET_ADMIN"}},
			notes: []note{{finding.CapDrop, false, false, "capabilities set in the file (add NET_ADMIN): kept; without ALL dropped"}}},
		{name: "an empty cap_drop is set",
			needs: withCaps, c: Container{On: both[:1], CapDrop: []string{}},
			notes: []note{{finding.CapDrop, false, false, "(drop nothing): kept; without ALL"}}},
		{name: "capabilities from a variable: kept, reported",
			needs: withCaps, c: Container{On: both[:1], CapsDynamic: true},
			notes: []note{{finding.CapDrop, false, false, "from a variable or a value rofix cannot read: kept"}}},
		{name: "caps unknown: reported",
			needs: known(Needs{}), c: Container{On: both[:1]},
			notes: []note{{finding.CapDrop, false, false, "rofix does not know which capabilities postgres needs; `rofix try` finds them"}}},

		// neither
		{name: "a privileged container is left alone",
			needs: runAs, c: Container{On: both, NoNewPrivs: true, Role: Role{Privileged: true}}},
		{name: "rules off: nothing", needs: runAs, c: Container{Mounts: []MountPoint{{Target: "/var/lib/postgresql/data"}}, NoNewPrivs: true},
			tmpfs: []string{"/run/postgresql", "/tmp"}},
		{name: "ignored rules are not in On: nothing", needs: runAs, c: Container{On: nil, CapAdd: []string{"X"}}},
	}
	for _, tt := range tests {
		a := Apply(tt.needs, tt.c)
		if a.CapDrop != tt.capDrop || !reflect.DeepEqual(a.CapAdd, tt.capAdd) || a.User != tt.user {
			t.Errorf("%s: CapDrop %v, CapAdd %q, User %q; want %v, %q, %q", tt.name, a.CapDrop, a.CapAdd, a.User, tt.capDrop, tt.capAdd, tt.user)
		}
		if tt.tmpfs != nil && !reflect.DeepEqual(a.Tmpfs, tt.tmpfs) {
			t.Errorf("%s: Tmpfs %q, want %q", tt.name, a.Tmpfs, tt.tmpfs)
		}
		ok := len(a.PrivNotes) == len(tt.notes)
		for i := 0; ok && i < len(tt.notes); i++ {
			got, want := a.PrivNotes[i], tt.notes[i]
			ok = got.Rule == want.rule && got.Fixed == want.fixed && got.Quiet == want.quiet && strings.Contains(got.Text, want.text)
		}
		if !ok {
			t.Errorf("%s: PrivNotes\n%s\nwant\n%s", tt.name, notesString(a.PrivNotes), fmt.Sprint(tt.notes))
		}
	}
}

func notesString(notes []Note) string {
	var b strings.Builder
	for _, n := range notes {
		fmt.Fprintf(&b, "  %s fixed=%v quiet=%v: %s\n", n.Rule, n.Fixed, n.Quiet, n.Text)
	}
	return b.String()
}

// TestApplyPrivilegesOff proves that with the opt-in rules off, what a
// container and its image say about capabilities and users changes
// nothing Apply decides.
func TestApplyPrivilegesOff(t *testing.T) {
	needs := Needs{Image: "postgres", Entries: []*ImageEntry{{Name: "postgres", Verdict: WorksWithConditions, Checks: []Check{{User: "non-root"}}}},
		Verdict: WorksWithConditions, Checks: []Check{{User: "non-root"}},
		Tmpfs: []string{"/run/postgresql", "/tmp"}, Volumes: []string{"/var/lib/postgresql/data"}}
	c := Container{Mounts: []MountPoint{{Target: "/var/lib/postgresql/data"}}, Env: map[string]string{}}
	want := Apply(needs, c)
	needs.Caps, needs.CapsKnown, needs.RunAs, needs.CapsFrom, needs.RunAsFrom = []string{"CHOWN"}, true, "999:999", "x", "x"
	c.CapAdd, c.CapDrop, c.NoNewPrivs = []string{"NET_ADMIN"}, []string{"MKNOD"}, true
	if got := Apply(needs, c); !reflect.DeepEqual(got, want) {
		t.Errorf("with the rules off Apply changed:\n%+v\nwant\n%+v", got, want)
	}
	// The same container with non-root on runs as 999 and so meets the
	// check: read-only is no longer withheld.
	c.On = []finding.Rule{finding.NonRoot}
	if got := Apply(needs, c); !got.ReadOnly || want.ReadOnly || got.User != "999:999" {
		t.Errorf("non-root on: ReadOnly %v (off: %v), User %q; want the check met by the user set", got.ReadOnly, want.ReadOnly, got.User)
	}
}

func TestRuleOn(t *testing.T) {
	p := Policy{Off: []finding.Rule{finding.Tmpfs}, On: []finding.Rule{finding.NonRoot}}
	for r, want := range map[finding.Rule]bool{finding.ReadOnly: true, finding.Tmpfs: false, finding.NonRoot: true, finding.CapDrop: false} {
		if got := p.RuleOn(r); got != want {
			t.Errorf("RuleOn(%s) = %v, want %v", r, got, want)
		}
	}
	p.On = append(p.On, finding.CapDrop)
	if got := p.OptIn(nil); !reflect.DeepEqual(got, []finding.Rule{finding.CapDrop, finding.NonRoot}) {
		t.Errorf("OptIn(nil) = %v", got)
	}
	if got := p.OptIn(func(r finding.Rule) bool { return r == finding.CapDrop }); !reflect.DeepEqual(got, []finding.Rule{finding.NonRoot}) {
		t.Errorf("OptIn(skip cap-drop) = %v", got)
	}
	if got := (Policy{}).OptIn(nil); got != nil {
		t.Errorf("OptIn with nothing on = %v", got)
	}
	var f EnableFlag
	for _, v := range []string{"cap-drop", "non-root,cap-drop"} {
		if err := f.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	if f.String() != "cap-drop,non-root" {
		t.Errorf("EnableFlag = %s, want cap-drop,non-root", f.String())
	}
	for _, bad := range []string{"read-only", "capdrop", ""} {
		if err := f.Set(bad); err == nil || !strings.Contains(err.Error(), "want cap-drop or non-root") {
			t.Errorf("Set(%q) = %v, want an error naming the opt-in rules", bad, err)
		}
	}
}

func TestCapName(t *testing.T) {
	for in, want := range map[string]string{"chown": "CHOWN", "CAP_NET_BIND_SERVICE": "NET_BIND_SERVICE", "cap_sys_admin": "SYS_ADMIN", "all": "ALL", " SETUID ": "SETUID", "CAP_FOO": "", "": ""} {
		if got, ok := CapName(in); got != want || ok != (want != "") {
			t.Errorf("CapName(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if !slices.IsSorted(capabilities) || len(capabilities) != 41 {
		t.Errorf("the capability table is not the 41 names of Linux 6.x, sorted (IsCapability searches it): %q", capabilities)
	}
	for _, c := range EngineDefaultCaps() {
		if !IsCapability(c) {
			t.Errorf("engine default %s is not a capability", c)
		}
	}
	for in, want := range map[string]string{"999:999": "", "999": "numeric UID:GID", "postgres:postgres": "numeric UID:GID", "0:0": "is root", "0:999": "is root"} {
		if got := CheckRunAs(in); (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("CheckRunAs(%q) = %q, want %q", in, got, want)
		}
	}
}
