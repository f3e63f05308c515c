package learn

import (
	"archive/tar"
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"
)

// tarEntry is one member of a test archive: a name as the engine writes it,
// a type, and for a regular file its size.
type tarEntry struct {
	name string
	typ  byte
	size int
}

// tarDir, tarFile, tarSymlink and tarHardlink make the members of a test
// archive; tarStream writes them, in order, as "docker cp" streams them.
func tarDir(name string) tarEntry            { return tarEntry{name, tar.TypeDir, 0} }
func tarFile(name string, size int) tarEntry { return tarEntry{name, tar.TypeReg, size} }
func tarSymlink(name string) tarEntry        { return tarEntry{name, tar.TypeSymlink, 0} }
func tarHardlink(name string) tarEntry       { return tarEntry{name, tar.TypeLink, 0} }
func tarStream(t *testing.T, es ...tarEntry) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range es {
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Size: int64(e.size), Mode: 0o644}
		switch e.typ {
		case tar.TypeSymlink:
			hdr.Linkname = "/elsewhere"
		case tar.TypeLink:
			hdr.Linkname = "etc/app/app.conf"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(bytes.Repeat([]byte("x"), e.size)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b
}

// TestListArchive is the spec of what counts as files the image ships in
// a directory, read from the archive "docker cp CONTAINER:DIR -" streams:
// content counts (a file that is not empty, a symlink, a directory with
// such a file below), structure an app makes again does not (an empty
// file, an empty directory tree).
func TestListArchive(t *testing.T) {
	cases := []struct {
		name    string
		entries []tarEntry
		skip    []string
		max     int
		want    []string
	}{
		{
			name: "docker's names (etc/app/): files with content, symlinks, directories holding content",
			entries: []tarEntry{
				tarDir("etc/app/"), tarFile("etc/app/app.conf", 8), tarSymlink("etc/app/current"),
				tarDir("etc/app/conf.d/"), tarDir("etc/app/conf.d/extra/"), tarFile("etc/app/conf.d/extra/x.conf", 3),
			},
			max:  10,
			want: []string{"app.conf", "conf.d", "current"},
		},
		{
			name: "podman's names (etc/app, no slash) read alike",
			entries: []tarEntry{
				tarDir("etc/app"), tarFile("etc/app/app.conf", 8), tarDir("etc/app/conf.d"), tarFile("etc/app/conf.d/x.conf", 1),
			},
			max:  10,
			want: []string{"app.conf", "conf.d"},
		},
		{
			name: "empty files and empty directory trees are not content",
			entries: []tarEntry{
				tarDir("var/log/nginx/"), tarFile("var/log/nginx/access.log", 0), tarFile("var/log/nginx/error.log", 0),
				tarDir("var/log/nginx/old/"), tarDir("var/log/nginx/old/2025/"), tarFile("var/log/nginx/old/2025/empty", 0),
			},
			max:  10,
			want: []string{},
		},
		{
			name: "only the root: nothing shipped",
			entries: []tarEntry{
				tarDir("run/lock/"),
			},
			max:  10,
			want: []string{},
		},
		{
			name: "names the container added or changed are skipped, also for content below them",
			entries: []tarEntry{
				tarDir("etc/app/"), tarFile("etc/app/app.pid", 5), tarFile("etc/app/app.conf", 8),
				tarDir("etc/app/state/"), tarFile("etc/app/state/db", 100),
			},
			skip: []string{"app.pid", "state"},
			max:  10,
			want: []string{"app.conf"},
		},
		{
			name: "at most max names",
			entries: []tarEntry{
				tarDir("usr/share/app/"), tarFile("usr/share/app/a", 1), tarFile("usr/share/app/b", 1),
				tarFile("usr/share/app/c", 1), tarFile("usr/share/app/d", 1),
			},
			max:  3,
			want: []string{"a", "b", "c"},
		},
		{
			name: "entries outside the root are ignored",
			entries: []tarEntry{
				tarDir("etc/app/"), tarFile("etc/other/x", 3), tarFile("etc/apple", 3),
			},
			max:  10,
			want: []string{},
		},
		{
			name:    "a root that is not a directory: nil",
			entries: []tarEntry{tarFile("app.conf", 8)},
			max:     10,
			want:    nil,
		},
		{
			name:    "a root that is a symlink: nil",
			entries: []tarEntry{tarSymlink("conf"), tarFile("conf/x", 1)},
			max:     10,
			want:    nil,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			skip := map[string]bool{}
			for _, s := range c.skip {
				skip[s] = true
			}
			got, err := ListArchive(tarStream(t, c.entries...), skip, c.max)
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (c.want == nil) || !slices.Equal(got, c.want) {
				t.Errorf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

// TestListArchiveErrors: an archive that breaks off is an error, not a
// short listing.
func TestListArchiveErrors(t *testing.T) {
	b := tarStream(t, tarDir("etc/app/"), tarFile("etc/app/app.conf", 600))
	cut := bytes.NewReader(b.Bytes()[:700])
	if names, err := ListArchive(cut, nil, 10); err == nil {
		t.Errorf("a truncated archive gave %q and no error", names)
	}
	if names, err := ListArchive(strings.NewReader("not a tar stream, long enough to fill a header block?"), nil, 10); err == nil {
		t.Errorf("text gave %q and no error", names)
	}
}

// TestMarkShipped: only tmpfs declarations of directories the image had
// are asked about, with the names the container wrote directly in them
// and the engine's own files (/etc/hosts, ...) skipped; /run, emptied at
// every boot, is never asked about; what is listed becomes Shipped.
func TestMarkShipped(t *testing.T) {
	pr := Proposal{Decls: []Decl{
		{Path: "/etc/app", Existing: true, Evidence: []Change{{'A', "/etc/app/app.pid"}, {'C', "/etc/app/app.conf"}, {'A', "/etc/app/sub/x"}}},
		{Path: "/run", Existing: true, Evidence: []Change{{'A', "/run/app.pid"}}},
		{Path: "/etc", Existing: true, Evidence: []Change{{'A', "/etc/gen.conf"}}},
		{Path: "/var/cache/app", Evidence: []Change{{'A', "/var/cache/app"}}},
		{Path: "/var/lib/app", Volume: true, Existing: true},
	}}
	asked := map[string][]string{}
	list := func(dir string, skip map[string]bool, max int) ([]string, error) {
		asked[dir] = slices.Sorted(maps.Keys(skip))
		if max != maxShipped {
			t.Errorf("%s: asked for %d names, want %d", dir, max, maxShipped)
		}
		if dir == "/etc/app" {
			return []string{"defaults.conf"}, nil
		}
		return nil, nil
	}
	if err := MarkShipped(&pr, list); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"/etc/app": {"app.conf", "app.pid"}, "/etc": {"gen.conf", "hostname", "hosts", "resolv.conf"}}
	if len(asked) != len(want) || !slices.Equal(asked["/etc/app"], want["/etc/app"]) || !slices.Equal(asked["/etc"], want["/etc"]) {
		t.Errorf("asked %q, want %q", asked, want)
	}
	if got := pr.Shipped(); len(got) != 1 || got[0].Path != "/etc/app" || !slices.Equal(got[0].Shipped, []string{"defaults.conf"}) {
		t.Errorf("Shipped() = %+v", got)
	}
	wantWhy := "writes app.pid into /etc/app, where the image ships defaults.conf: a tmpfs would hide them" +
		" (keep a writable root, or mount a volume prepared with the image's files there)"
	if got := pr.ShippedReason(); got != wantWhy {
		t.Errorf("ShippedReason() =\n%q\nwant\n%q", got, wantWhy)
	}
}

// TestShippedReason: one reason names each directory; a directory the
// container only changed files in says "writes into"; none: "".
func TestShippedReason(t *testing.T) {
	pr := Proposal{Decls: []Decl{
		{Path: "/etc/a", Shipped: []string{"a.conf", "b.conf"}, Evidence: []Change{{'C', "/etc/a/a.conf"}}},
		{Path: "/etc/b", Shipped: []string{"x"}, Evidence: []Change{{'A', "/etc/b/1"}, {'A', "/etc/b/2"}, {'A', "/etc/b/deep/3"}}},
		{Path: "/tmp"},
	}}
	want := "writes into /etc/a, where the image ships a.conf, b.conf: a tmpfs would hide them; " +
		"writes 1, 2 into /etc/b, where the image ships x: a tmpfs would hide them" +
		" (keep a writable root, or mount a volume prepared with the image's files there)"
	if got := pr.ShippedReason(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if got := (Proposal{Decls: []Decl{{Path: "/tmp"}}}).ShippedReason(); got != "" {
		t.Errorf("nothing shipped: %q", got)
	}
}

// TestListArchiveHardLink documents how a hard link counts: as content,
// like the file it links to (it has no size of its own in the archive).
func TestListArchiveHardLink(t *testing.T) {
	got, err := ListArchive(tarStream(t, tarDir("etc/app/"), tarHardlink("etc/app/alias.conf")), nil, 10)
	if err != nil || !slices.Equal(got, []string{"alias.conf"}) {
		t.Errorf("got %q, %v", got, err)
	}
}
