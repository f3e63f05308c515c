package policy

import (
	"reflect"
	"strings"
	"testing"
)

func TestApplyTmpfs(t *testing.T) {
	pg := &ImageEntry{Name: "postgres", Verdict: Works}
	tests := []struct {
		name  string
		needs Needs
		c     Container
		want  []string
	}{
		{"default /tmp", Needs{Tmpfs: []string{"/tmp"}}, Container{}, []string{"/tmp"}},
		{"options kept, /var/run written /run",
			Needs{Tmpfs: []string{"/tmp", "/var/run/postgresql:uid=103,gid=105"}}, Container{},
			[]string{"/run/postgresql:uid=103,gid=105", "/tmp"}},
		{"one path merges options", Needs{Tmpfs: []string{"/tmp", "/tmp:exec", "/tmp:exec,mode=1777"}}, Container{},
			[]string{"/tmp:exec,mode=1777"}},
		{"mounted at the path", Needs{Tmpfs: []string{"/tmp", "/run/postgresql"}},
			Container{Mounts: []MountPoint{{Target: "/run/postgresql/"}}}, []string{"/tmp"}},
		{"mounted above the path", Needs{Tmpfs: []string{"/tmp", "/var/lib/postgresql/data/run"}},
			Container{Mounts: []MountPoint{{Target: "/var/lib/postgresql"}}}, []string{"/tmp"}},
		{"a mount on /var/run covers /run/x", Needs{Tmpfs: []string{"/run/x"}},
			Container{Mounts: []MountPoint{{Target: "/var/run", Tmpfs: true}}}, nil},
		{"below a mount is not covered", Needs{Tmpfs: []string{"/run"}},
			Container{Mounts: []MountPoint{{Target: "/run/secrets"}}}, []string{"/run"}},
		{"never on a state path, above or under it",
			Needs{Entries: []*ImageEntry{pg}, Tmpfs: []string{"/var/lib/postgresql", "/data/x", "/tmp"}, Volumes: []string{"/var/lib/postgresql/data", "/data"}},
			Container{Mounts: []MountPoint{{Target: "/var/lib/postgresql/data"}, {Target: "/data"}}}, []string{"/tmp"}},
		{"never on a no-tmpfs path", Needs{Tmpfs: []string{"/usr/share/nginx/html", "/tmp"}, NoTmpfs: []string{"/usr/share/nginx"}},
			Container{}, []string{"/tmp"}},
		{"podman mounts /run and /tmp itself", Needs{Tmpfs: []string{"/tmp", "/run/nginx", "/var/cache/nginx"}},
			Container{EngineTmpfs: []string{"/tmp", "/var/tmp", "/run"}}, []string{"/var/cache/nginx"}},
		{"podman: an entry with options still needs a flag", Needs{Tmpfs: []string{"/run:exec", "/run/pg:uid=1", "/tmp:exec"}},
			Container{EngineTmpfs: []string{"/tmp", "/var/tmp", "/run"}}, []string{"/run:exec", "/run/pg:uid=1", "/tmp:exec"}},
		{"options the engine refuses are dropped", Needs{Tmpfs: []string{"/run/pg:uid=1,gid=2", "/var/cache/x:uid=1,mode=0755", "/opt/y:gid=3"}},
			Container{EngineTmpfs: []string{"/run"}, DropOptions: []string{"uid", "gid"}}, []string{"/opt/y", "/var/cache/x:mode=0755"}},
		{"an entry under another without options is dropped", Needs{Tmpfs: []string{"/run:exec", "/run/nginx", "/run/pg:uid=7"}},
			Container{}, []string{"/run:exec", "/run/pg:uid=7"}},
		{"unsafe characters are not written", Needs{Tmpfs: []string{"/a b", "/x;rm"}}, Container{}, nil},
	}
	for _, tt := range tests {
		got := Apply(tt.needs, tt.c).Tmpfs
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Tmpfs = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestApplyNotes(t *testing.T) {
	entry := func(v Verdict, cond string) *ImageEntry {
		return &ImageEntry{Name: "img", Verdict: v, Conditions: cond}
	}
	tests := []struct {
		name     string
		needs    Needs
		c        Container
		readOnly bool
		notes    []string // substrings, in order, of ReadOnlyNotes then Notes
	}{
		{"works: nothing to say", Needs{Entries: []*ImageEntry{entry(Works, "")}, Verdict: Works, Tmpfs: []string{"/tmp"}}, Container{}, true, nil},
		{"does not work: read-only refused with the reason",
			Needs{Entries: []*ImageEntry{entry(DoesNotWork, "writes its config at start")}, Verdict: DoesNotWork}, Container{}, false,
			[]string{"img does not run with a read-only root: writes its config at start"}},
		{"conditions reported", Needs{Entries: []*ImageEntry{entry(WorksWithConditions, "set SKIP_SETCAP")}, Verdict: WorksWithConditions}, Container{}, true,
			[]string{"img runs read-only only under conditions: set SKIP_SETCAP"}},
		{"state path without a volume", Needs{Entries: []*ImageEntry{entry(Works, "")}, Volumes: []string{"/data"}}, Container{}, true,
			[]string{"img keeps its state in /data, where nothing is mounted: the data dies with the container"}},
		{"state path with a volume above it", Needs{Volumes: []string{"/var/lib/postgresql/data"}},
			Container{Mounts: []MountPoint{{Target: "/var/lib/postgresql"}}}, true, nil},
		{"state path on a tmpfs", Needs{Image: "x", Volumes: []string{"/data"}},
			Container{Mounts: []MountPoint{{Target: "/data", Tmpfs: true}}}, true, []string{"x keeps state in /data, which is on a tmpfs here"}},
		{"state path on a Dockerfile VOLUME", Needs{Image: "x", Volumes: []string{"/data/db"}},
			Container{Mounts: []MountPoint{{Target: "/data", Anonymous: true}}}, true, []string{"the Dockerfile's VOLUME /data gives it only an anonymous volume"}},
		{"a Dockerfile VOLUME nothing names", Needs{Image: "x"},
			Container{Mounts: []MountPoint{{Target: "/srv/data", Anonymous: true}}}, true, []string{"the Dockerfile declares VOLUME /srv/data and nothing here mounts it"}},
		{"a Dockerfile VOLUME under a named volume", Needs{Image: "x"},
			Container{Mounts: []MountPoint{{Target: "/srv"}, {Target: "/srv/data", Anonymous: true}}}, true, nil},
		{"an existing tmpfs lacking exec", Needs{Image: "s6", Tmpfs: []string{"/run:exec", "/tmp"}},
			Container{Mounts: []MountPoint{{Target: "/run", Tmpfs: true, Options: "size=1m"}, {Target: "/tmp", Tmpfs: true}}}, true,
			[]string{"the tmpfs on /run lacks exec, which s6 needs: write /run:size=1m,exec"}},
		{"an existing tmpfs with exec", Needs{Image: "s6", Tmpfs: []string{"/run:exec,uid=1"}},
			Container{Mounts: []MountPoint{{Target: "/run/", Tmpfs: true, Options: "exec,size=1m"}}}, true, nil},
		{"tmpfs on /var/run reported", Needs{Image: "x"},
			Container{Mounts: []MountPoint{{Target: "/var/run/app", Tmpfs: true, Ref: 3}}}, true, []string{"tmpfs on /var/run/app: /var/run is a symlink in most images and a tmpfs on it fails; write /run/app"}},
		{"missing env", Needs{Image: "vault", Env: []EnvSetting{{Name: "SKIP_SETCAP", Value: "true", Why: "setcap writes the binary"}}}, Container{}, true,
			[]string{"vault needs SKIP_SETCAP=true read-only (setcap writes the binary); not set here: add it to the environment"}},
		{"env set", Needs{Env: []EnvSetting{{Name: "A", Value: "1"}}}, Container{Env: map[string]string{"A": "1"}}, true, nil},
		{"env set to another value", Needs{Image: "i", Env: []EnvSetting{{Name: "A", Value: "1"}}}, Container{Env: map[string]string{"A": "0"}}, true,
			[]string{"i needs A=1 read-only; it is set to 0 here"}},
		{"env maybe in an env file", Needs{Image: "i", Env: []EnvSetting{{Name: "A", Value: "1"}}}, Container{EnvUnknown: true}, true,
			[]string{"not set here (unless in an env file)"}},
		{"notes", Needs{Image: "kafka", Notes: []string{"the default log.dirs is in /tmp"}}, Container{}, true, []string{"the default log.dirs is in /tmp"}},
	}
	for _, tt := range tests {
		a := Apply(tt.needs, tt.c)
		if a.ReadOnly != tt.readOnly {
			t.Errorf("%s: ReadOnly = %v, want %v", tt.name, a.ReadOnly, tt.readOnly)
		}
		var got []string
		for _, n := range append(a.ReadOnlyNotes, a.Notes...) {
			got = append(got, n.Text)
		}
		if len(got) != len(tt.notes) {
			t.Errorf("%s: notes %q, want %d", tt.name, got, len(tt.notes))
			continue
		}
		for i, want := range tt.notes {
			if !strings.Contains(got[i], want) {
				t.Errorf("%s: note %d = %q, want it to hold %q", tt.name, i, got[i], want)
			}
		}
	}
}
