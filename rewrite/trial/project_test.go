package trial

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// decodeYAML decodes YAML as compose reads it: merge keys resolved.
func decodeYAML(t *testing.T, src string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(src), &m); err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return m
}

// TestForTrial: the file a trial runs has no published ports and no fixed
// container names, wherever a service gets them from (its own keys, a
// merged anchor, a list of them), and means exactly what the user's file
// means otherwise.
func TestForTrial(t *testing.T) {
	cases := []struct {
		name, src string
		// want is what the result must decode to.
		want string
	}{
		{
			name: "a service's own ports and container_name go; every other key stays",
			src: `name: shop
services:
  web:
    image: nginx:1.27
    container_name: web   # fixed
    ports:
      - "8080:80"
      - target: 443
        published: 8443
    expose: ["80"]
    environment:
      ports: "8080"       # an app setting, not compose's
    labels:
      container_name: kept
  db:
    image: postgres:16
    healthcheck:
      test: |
        pg_isready -U postgres
volumes:
  data: {}
`,
			want: `name: shop
services:
  web:
    image: nginx:1.27
    expose: ["80"]
    environment:
      ports: "8080"
    labels:
      container_name: kept
  db:
    image: postgres:16
    healthcheck:
      test: "pg_isready -U postgres\n"
volumes:
  data: {}
`,
		},
		{
			name: "from a merged anchor: gone from the service (and from the anchor)",
			src: `x-base: &base
  image: localhost/app
  ports: ["80:80"]
  container_name: base
  restart: always
services:
  a:
    <<: *base
    command: ["a"]
  b:
    <<: *base
    command: ["b"]
`,
			want: `x-base:
  image: localhost/app
  restart: always
services:
  a:
    image: localhost/app
    restart: always
    command: ["a"]
  b:
    image: localhost/app
    restart: always
    command: ["b"]
`,
		},
		{
			name: "from a list of merged anchors, and an inline mapping in it",
			src: `x-ports: &ports
  ports: ["80:80"]
x-name: &name
  container_name: fixed
services:
  web:
    <<: [*ports, *name, {container_name: inline, user: "1000"}]
    image: nginx
`,
			want: `x-ports: {}
x-name: {}
services:
  web:
    user: "1000"
    image: nginx
`,
		},
		{
			name: "services given through an alias",
			src: `x-services: &svcs
  web:
    image: nginx
    ports: ["80:80"]
services: *svcs
`,
			want: `x-services:
  web:
    image: nginx
services:
  web:
    image: nginx
`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := ForTrial([]byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			got, want := decodeYAML(t, string(out)), decodeYAML(t, c.want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decodes to\n%v\nwant\n%v\nfile:\n%s", got, want, out)
			}
			// Stripping again changes nothing: the result is returned as is.
			again, err := ForTrial(out)
			if err != nil || string(again) != string(out) {
				t.Errorf("ForTrial of its own result: %v\n%s", err, again)
			}
		})
	}
}

// TestForTrialUnchanged: a file without published ports or container
// names is returned as is, the very same bytes (comments, quoting and
// order untouched), as is a file that is not a mapping.
func TestForTrialUnchanged(t *testing.T) {
	for _, src := range []string{
		"services:\n  web:\n    image: nginx   # the official one\n    expose: ['80']\n    environment:\n      ports: \"8080\"\n",
		"x-ports: &p\n  ports: [\"80:80\"]   # not used by a service\nservices:\n  web: {image: nginx}\n",
		"ports: [\"80:80\"]\n",
		"- a\n- b\n",
		"# only a comment\n",
		"",
	} {
		b := []byte(src)
		out, err := ForTrial(b)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if string(out) != src || len(b) > 0 && &out[0] != &b[0] {
			t.Errorf("%q: not returned as is:\n%s", src, out)
		}
	}
	if _, err := ForTrial([]byte("services:\n  web: [unclosed\n")); err == nil {
		t.Error("invalid YAML: no error")
	}
}

// hostWritesProject makes, under a new directory root, what the recorded
// compose project of testdata/hostwrites has on disk: the project
// directory proj with data/, conf/ and a symlink escape -> /var/tmp, and
// shared/ beside it.
func hostWritesProject(t *testing.T) (root string) {
	t.Helper()
	root = t.TempDir()
	for _, d := range []string{"proj/data", "proj/conf", "shared"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/var/tmp", filepath.Join(root, "proj", "escape")); err != nil {
		t.Fatal(err)
	}
	return root
}

// recordedConfig reads a recorded "compose config" output, the directory it
// was made in replaced by root.
func recordedConfig(t *testing.T, name, root string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "hostwrites", name))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(string(b), "@ROOT@", root))
}

// sortedWrites returns the host writes as "service: what", sorted.
func sortedWrites(hw []hostWrite) []string {
	var out []string
	for _, w := range hw {
		out = append(out, w.Service+": "+w.What)
	}
	slices.Sort(out)
	return out
}

// TestHostWrites reads what docker-compose 1.29 and Docker Compose v5
// resolved for testdata/hostwrites/project.yaml (see the README there) and
// finds exactly the mounts through which a trial would write outside its
// copy: writable binds of host paths (also beside the project, or through
// a symlink out of it) and writable external volumes; not the project's
// own directories, read-only binds, named and anonymous volumes, tmpfs.
func TestHostWrites(t *testing.T) {
	root := hostWritesProject(t)
	want := []string{
		"app: the host path " + filepath.Join(root, "proj", "escape"),
		"app: the host path " + filepath.Join(root, "shared"),
		"app: the host path /var/tmp",
		"worker: the external volume ext",
	}
	slices.Sort(want)
	for _, file := range []string{"compose1.yaml", "compose5.yaml"} {
		t.Run(file, func(t *testing.T) {
			hw, err := hostWrites(recordedConfig(t, file, root), filepath.Join(root, "proj"))
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedWrites(hw); !slices.Equal(got, want) {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

// TestHostWritesThroughSymlink: the scratch copy's directory may be
// reached through a symlink (macOS's temporary directory, /var/folders, is
// /private/var/folders; a TMPDIR on a symlink). Compose prints the
// resolved path (docker-compose always, Compose v5 when PWD is not the
// directory, as under rofix), and the project's own directories are still
// inside the copy.
func TestHostWritesThroughSymlink(t *testing.T) {
	root := hostWritesProject(t)
	link := filepath.Join(t.TempDir(), "scratch")
	if err := os.Symlink(filepath.Join(root, "proj"), link); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"app: the host path " + filepath.Join(root, "proj", "escape"),
		"app: the host path " + filepath.Join(root, "shared"),
		"app: the host path /var/tmp",
		"worker: the external volume ext",
	}
	slices.Sort(want)
	for _, file := range []string{"compose1.yaml", "compose5.yaml"} {
		t.Run(file, func(t *testing.T) {
			hw, err := hostWrites(recordedConfig(t, file, root), link)
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedWrites(hw); !slices.Equal(got, want) {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

// TestHostWritesDriverOpts: a named volume of the local driver with
// "o: bind" and a device is the host directory itself, mounted writable:
// a trial's container would write the user's data there
// (testdata/hostwrites/driveropts.project.yaml).
func TestHostWritesDriverOpts(t *testing.T) {
	for _, file := range []string{"driveropts1.yaml", "driveropts5.yaml"} {
		t.Run(file, func(t *testing.T) {
			hw, err := hostWrites(recordedConfig(t, file, "/nowhere"), "/nowhere/drv")
			if err != nil {
				t.Fatal(err)
			}
			got := sortedWrites(hw)
			if len(got) != 1 || !strings.HasPrefix(got[0], "db: ") || !strings.Contains(got[0], "/srv/db") {
				t.Errorf("got %q, want one write of service db naming /srv/db", got)
			}
		})
	}
}

// TestHostWritesSyntax states the reading of each volume syntax compose
// may print, on small hand-written configs.
func TestHostWritesSyntax(t *testing.T) {
	cases := []struct {
		name, config string
		want         []string
	}{
		{"short syntax: ro among other options", `services:
  s:
    volumes:
      - /srv/a:/a:ro,z
      - /srv/b:/b:z,ro
      - /srv/c:/c:rw,Z
`, []string{"s: the host path /srv/c"}},
		{"an anonymous volume and a named one", `services:
  s:
    volumes: [/anon, "data:/data", "data:/data2:rw"]
volumes:
  data: {}
`, nil},
		{"external in compose 2 files: external: {name: x}", `services:
  s:
    volumes: ["old:/old"]
volumes:
  old:
    external:
      name: prod_old
`, []string{"s: the external volume old"}},
		{"external: false", `services:
  s:
    volumes: ["v:/v"]
volumes:
  v:
    external: false
`, nil},
		{"long syntax: a bind, a volume, a tmpfs", `services:
  s:
    volumes:
      - {type: bind, source: /srv/x, target: /x}
      - {type: volume, source: ext, target: /e}
      - {type: tmpfs, target: /t}
volumes:
  ext: {external: true}
`, []string{"s: the external volume ext", "s: the host path /srv/x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hw, err := hostWrites([]byte(c.config), "/proj")
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedWrites(hw); !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
	if _, err := hostWrites([]byte("services: [\n"), "/proj"); err == nil || !strings.Contains(err.Error(), "compose config") {
		t.Errorf("unreadable config: %v", err)
	}
}
