package learn

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite/policy"
)

// fixture is one container's recorded engine output (testdata/README.md).
type fixture struct {
	c       Container
	changes []Change
	stat    StatFunc
}

// loadFixture reads testdata/ENGINE/APP.{diff,inspect.json,stat}.
func loadFixture(t *testing.T, engine, app string) fixture {
	t.Helper()
	dir := filepath.Join("testdata", engine)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	c, err := ParseInspect(read(app + ".inspect.json"))
	if err != nil {
		t.Fatal(err)
	}
	changes, err := ParseDiff(string(read(app + ".diff")))
	if err != nil {
		t.Fatal(err)
	}
	var passwd, group []byte
	if engine == "podman" {
		passwd, group = read("passwd"), read("group")
	}
	infos := map[string]Info{}
	for _, line := range strings.Split(string(read(app+".stat")), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		info := Info{Dir: f[1][0] == 'd', Mode: parseMode(t, f[1])}
		user, grp, _ := strings.Cut(f[2], "/")
		info.UID, info.GID = id(t, user, passwd), id(t, grp, group)
		infos[f[0]] = info
	}
	stat := func(p string) (Info, error) {
		info, ok := infos[p]
		if !ok {
			return Info{}, fmt.Errorf("%s: not recorded", p)
		}
		return info, nil
	}
	return fixture{c, changes, stat}
}

// id returns a numeric owner as recorded, or a name looked up in the
// container's passwd or group file (podman's archives carry names).
func id(t *testing.T, s string, file []byte) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	if s == "root" {
		return 0
	}
	n := LookupID(file, s)
	if n < 0 {
		t.Fatalf("owner %q not in the recorded passwd/group", s)
	}
	return n
}

// parseMode parses an ls-style mode ("drwxrwsr-x").
func parseMode(t *testing.T, s string) fs.FileMode {
	if len(s) != 10 {
		t.Fatalf("mode %q", s)
	}
	var m fs.FileMode
	for i, c := range s[1:] {
		bit := fs.FileMode(1) << (8 - i)
		switch c {
		case 'r', 'w', 'x':
			m |= bit
		case 's':
			m |= bit
			if i == 2 {
				m |= fs.ModeSetuid
			} else {
				m |= fs.ModeSetgid
			}
		case 'S':
			if i == 2 {
				m |= fs.ModeSetuid
			} else {
				m |= fs.ModeSetgid
			}
		case 't':
			m |= bit | fs.ModeSticky
		case 'T':
			m |= fs.ModeSticky
		}
	}
	return m
}

// summary renders a proposal as "tmpfs PATH[:OPTS]", "volume PATH" and
// "image-volume PATH" (a state path the image declares a VOLUME) lines.
func summary(pr Proposal) []string {
	var out []string
	for _, d := range pr.Decls {
		if d.ImageVolume {
			out = append(out, "image-volume "+d.Path)
		} else if d.Volume {
			out = append(out, "volume "+d.Path)
		} else {
			out = append(out, "tmpfs "+d.Tmpfs())
		}
	}
	return out
}

// TestRealServers is what learn proposes for the six real servers, from
// what the engines printed for their unhardened runs: the directories
// realapps.md lists, PostgreSQL's and MariaDB's with the owner's ids, the
// data volumes as volumes, and nothing of the engine's own.
func TestRealServers(t *testing.T) {
	want := map[string][]string{
		"nginx":     {"tmpfs /run", "tmpfs /var/lib/nginx", "tmpfs /var/log/nginx"},
		"redis":     {"volume /var/lib/redis"},
		"postgres":  {"tmpfs /run/postgresql:uid=103,gid=105", "volume /var/lib/postgresql"},
		"mariadb":   {"tmpfs /run/mysqld:uid=100,gid=101", "volume /var/lib/mysql"},
		"memcached": nil,
		"apache":    {"tmpfs /run/apache2", "tmpfs /run/lock/apache2:uid=33,gid=0", "tmpfs /var/log/apache2"},
	}
	// Podman mounts /run, /tmp and /var/tmp itself (with the image's
	// files) and refuses uid= and gid=: nothing there is declared.
	podman := map[string][]string{
		"nginx":    {"tmpfs /var/lib/nginx", "tmpfs /var/log/nginx"},
		"postgres": {"volume /var/lib/postgresql"},
		"mariadb":  {"volume /var/lib/mysql"},
		"apache":   {"tmpfs /var/log/apache2"},
	}
	for _, engine := range []string{"docker", "podman"} {
		for app, w := range want {
			t.Run(engine+"/"+app, func(t *testing.T) {
				if engine == "podman" && podman[app] != nil {
					w = podman[app]
				}
				f := loadFixture(t, engine, app)
				pr := Propose(f.c, f.changes, f.stat)
				if err := Own(&pr, f.stat); err != nil {
					t.Fatal(err)
				}
				if engine == "podman" {
					ForPodman(&pr)
				}
				if got := summary(pr); !slices.Equal(got, w) {
					t.Errorf("got %q, want %q", got, w)
				}
				for _, ig := range pr.Ignored {
					if !strings.HasPrefix(ig.Change.Path, "/etc") && !strings.HasPrefix(ig.Change.Path, "/usr/") && !(engine == "podman" && strings.HasPrefix(ig.Why, "podman")) {
						t.Errorf("ignored %c %s: %s", ig.Change.Kind, ig.Change.Path, ig.Why)
					}
				}
				if img := policy.NormalizeImage(f.c.Image); img != "localhost/realapps-"+app {
					t.Errorf("image %q normalises to %q", f.c.Image, img)
				}
			})
		}
	}
}

// TestPropose states the grouping rules on small change lists.
func TestPropose(t *testing.T) {
	dirs := map[string]bool{"/var/cache/app": true, "/data": true, "/opt/x/new": true}
	stat := func(p string) (Info, error) { return Info{Dir: dirs[p]}, nil }
	cases := []struct {
		name    string
		c       Container
		changes string
		want    []string
		ignored []string
	}{
		{"a directory created at run time is declared whole", Container{},
			"C /var\nA /var/cache/app\nA /var/cache/app/a\nA /var/cache/app/b/c\n",
			[]string{"tmpfs /var/cache/app"}, nil},
		{"files created in an image directory group by it", Container{},
			"C /run\nA /run/a.pid\nA /run/b.sock\n",
			[]string{"tmpfs /run"}, nil},
		{"an empty created directory, known by stat", Container{},
			"C /opt/x\nA /opt/x/new\n",
			[]string{"tmpfs /opt/x/new"}, nil},
		{"/var/run is /run", Container{},
			"A /var/run/app.pid\n",
			[]string{"tmpfs /run"}, nil},
		{"under a mount: dropped; a volume is state", Container{Mounts: []Mount{{"volume", "/data"}, {"bind", "/etc/app/app.conf"}}},
			"A /data/x\nC /etc/app/app.conf\nA /tmp/y\n",
			[]string{"volume /data", "tmpfs /tmp"}, []string{"/data/x", "/etc/app/app.conf"}},
		{"the engine's files", Container{},
			"C /etc\nA /etc/hosts\nC /etc/hostname\nC /etc/resolv.conf\nA /run/.containerenv\nA /run/secrets/k\n",
			nil, []string{"/etc", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/run/.containerenv", "/run/secrets/k"}},
		{"under a declared volume", Container{Volumes: []string{"/var/lib/app"}},
			"A /var/lib/app/db\n",
			[]string{"volume /var/lib/app"}, []string{"/var/lib/app/db"}},
		{"a VOLUME of the image itself, behind an anonymous volume", Container{Volumes: []string{"/data"}, ImageVolumes: []string{"/data"}, Mounts: []Mount{{"volume", "/data"}}},
			"A /data/dump.rdb\nA /tmp/x\n",
			[]string{"image-volume /data", "tmpfs /tmp"}, []string{"/data/dump.rdb"}},
		{"a data directory or a database file is state", Container{},
			"C /var/lib/mysql/ibdata1\nA /srv/app/app.sqlite3\n",
			[]string{"volume /srv/app", "volume /var/lib/mysql"}, nil},
		{"nested declarations: the outer one covers", Container{},
			"A /run/a.pid\nA /run/app\nA /run/app/sock\nC /run/lock/x\n",
			[]string{"tmpfs /run"}, nil},
		{"written in / itself: nothing to declare", Container{},
			"A /app.pid\n",
			nil, []string{"/app.pid"}},
		{"programs and libraries are never a tmpfs", Container{},
			"C /usr/lib/x/helper\n",
			nil, []string{"/usr/lib/x/helper"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			changes, err := ParseDiff(c.changes)
			if err != nil {
				t.Fatal(err)
			}
			pr := Propose(c.c, changes, stat)
			if got := summary(pr); !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
			var ignored []string
			for _, ig := range pr.Ignored {
				ignored = append(ignored, ig.Change.Path)
			}
			if !slices.Equal(ignored, c.ignored) {
				t.Errorf("ignored %q, want %q", ignored, c.ignored)
			}
		})
	}
}

// TestTmpfsOptions: uid and gid only when the tmpfs would otherwise be
// root's and the owner could not write there.
func TestTmpfsOptions(t *testing.T) {
	for _, c := range []struct {
		info Info
		want string
	}{
		{Info{Dir: true, UID: 103, GID: 105, Mode: 0o2775 & 0o777}, "uid=103,gid=105"},
		{Info{Dir: true, Mode: 0o755}, ""},
		{Info{Dir: true, UID: 0, GID: 4, Mode: 0o755}, ""},
		{Info{Dir: true, UID: 0, GID: 50, Mode: 0o775}, "uid=0,gid=50"},
		{Info{Dir: true, UID: 999, GID: 999, Mode: 0o777}, ""},
		{Info{Dir: false, UID: 999, GID: 999, Mode: 0o644}, ""},
	} {
		if got := TmpfsOptions(c.info); got != c.want {
			t.Errorf("%+v: %q, want %q", c.info, got, c.want)
		}
	}
}

// TestCollect merges containers of one image into one entry.
func TestCollect(t *testing.T) {
	mk := func(name, image string, decls ...Decl) Proposal {
		return Proposal{Container: Container{Name: name, Image: image}, Decls: decls}
	}
	got := Collect([]Proposal{
		mk("a", "docker.io/library/nginx:1.27", Decl{Path: "/run"}, Decl{Path: "/var/cache/nginx"}),
		mk("b", "nginx@sha256:abc", Decl{Path: "/run"}, Decl{Path: "/var/cache/nginx", Volume: true}),
		mk("c", "localhost:5000/app:2", Decl{Path: "/run/app", Options: "uid=1,gid=2"}, Decl{Path: "/data", Volume: true, ImageVolume: true}),
	}, "docker", "2026-11-30")
	want := []Learned{
		{Image: "nginx", Tmpfs: []string{"/run"}, Volumes: []string{"/var/cache/nginx"},
			Sources: []string{"rofix learn: container a on 2026-11-30 (docker diff)", "rofix learn: container b on 2026-11-30 (docker diff)"}},
		{Image: "localhost:5000/app", Tmpfs: []string{"/run/app:uid=1,gid=2"}, Volumes: []string{"/data"}, ImageVolumes: []string{"/data"},
			Sources: []string{"rofix learn: container c on 2026-11-30 (docker diff)"}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestParseImageVolumes reads what "image inspect --format
// '{{json .Config.Volumes}}'" prints: null for none (as podman 4.3 printed
// here for the real-servers image), a set of paths otherwise.
func TestParseImageVolumes(t *testing.T) {
	for out, want := range map[string][]string{
		"null\n":                       nil,
		`{"/data":{},"/var/log/x":{}}`: {"/data", "/var/log/x"},
	} {
		got, err := ParseImageVolumes([]byte(out))
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseImageVolumes(%q) = %q, %v; want %q", out, got, err, want)
		}
	}
	if _, err := ParseImageVolumes([]byte("<no value>")); err == nil {
		t.Error("ParseImageVolumes accepted text that is not JSON")
	}
}
