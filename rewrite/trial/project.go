package trial

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// composeNames are the files compose looks for in a directory, in its
// order, and overrideNames the override files it adds to the first found.
var (
	composeNames  = []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}
	overrideNames = []string{"compose.override.yaml", "compose.override.yml", "docker-compose.override.yaml", "docker-compose.override.yml"}
)

// A Project is the user's compose project: its directory and the compose
// files compose loads from it, as compose finds them.
type Project struct {
	// Dir is the directory of the compose file, absolute.
	Dir string
	// Files are the compose files compose loads, relative to Dir: the
	// main file, then the override file when compose would add one.
	Files []string
	// Src holds each file's content, in the order of Files.
	Src [][]byte
	// Shown is the main file's path as the user named it.
	Shown string
}

// findProject returns the project of the compose file arg, or, for "",
// the compose file of the current directory with its override file.
func findProject(arg string) (*Project, error) {
	var p Project
	if arg != "" {
		abs, err := filepath.Abs(arg)
		if err != nil {
			return nil, err
		}
		p.Dir, p.Files, p.Shown = filepath.Dir(abs), []string{filepath.Base(abs)}, arg
	} else {
		dir, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		p.Dir = dir
		for _, n := range composeNames {
			if regular(filepath.Join(dir, n)) {
				p.Files, p.Shown = []string{n}, n
				break
			}
		}
		if p.Files == nil {
			return nil, fmt.Errorf("no compose file in %s (looked for %s); name one", dir, strings.Join(composeNames, ", "))
		}
		for _, n := range overrideNames {
			if regular(filepath.Join(dir, n)) {
				p.Files = append(p.Files, n)
				break
			}
		}
	}
	for _, f := range p.Files {
		path := filepath.Join(p.Dir, f)
		info, err := os.Lstat(path)
		if err != nil {
			return nil, err
		}
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file (rofix does not write through symlinks)", path)
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		p.Src = append(p.Src, src)
	}
	return &p, nil
}

func regular(path string) bool {
	info, err := os.Lstat(path)
	return err == nil && info.Mode().IsRegular()
}

// maxCopy bounds the bytes of the scratch copy of a project directory.
const maxCopy = 1 << 30

// copyTree copies the directory src into dst (which must not exist):
// directories, regular files with their modes, and symlinks as symlinks.
// .git is left out; other special files are skipped. It refuses a tree of
// more than maxCopy bytes.
func copyTree(src, dst string) error {
	var total int64
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if d.Name() == ".git" && rel != "." {
				return filepath.SkipDir
			}
			return os.Mkdir(target, info.Mode().Perm()|0o700)
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case info.Mode().IsRegular():
			total += info.Size()
			if total > maxCopy {
				return fmt.Errorf("%s holds more than %d MiB: too large for a scratch copy", src, maxCopy>>20)
			}
			return copyFile(path, target, info.Mode().Perm())
		}
		return nil
	})
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// trialKeys are the service keys left out of a trial: published ports
// and fixed container names would clash with the user's running stack.
var trialKeys = map[string]bool{"ports": true, "container_name": true}

// ForTrial returns a compose file's content without its services'
// published ports and container names (also those merged in from an
// anchor): the file a trial runs. It is the only rewrite that
// re-serializes a file, and only the scratch copy's; unchanged content
// is returned as is.
func ForTrial(src []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return src, nil
	}
	changed := false
	seen := map[*yaml.Node]bool{}
	var strip func(m *yaml.Node)
	strip = func(m *yaml.Node) {
		for m.Kind == yaml.AliasNode {
			m = m.Alias
		}
		if m.Kind != yaml.MappingNode || seen[m] {
			return
		}
		seen[m] = true
		for i := 0; i+1 < len(m.Content); {
			k, v := m.Content[i], m.Content[i+1]
			switch {
			case trialKeys[k.Value]:
				m.Content = append(m.Content[:i], m.Content[i+2:]...)
				changed = true
				continue
			case k.Value == "<<":
				strip(v)
				for _, x := range v.Content {
					strip(x)
				}
			}
			i += 2
		}
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "services" {
			continue
		}
		svcs := root.Content[i+1]
		for svcs.Kind == yaml.AliasNode {
			svcs = svcs.Alias
		}
		for j := 1; j < len(svcs.Content); j += 2 {
			strip(svcs.Content[j])
		}
	}
	if !changed {
		return src, nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

// configServices returns the names of the services in the configuration
// compose resolved, sorted.
func configServices(config []byte) ([]string, error) {
	var cfg struct {
		Services map[string]yaml.Node `yaml:"services"`
	}
	if err := yaml.Unmarshal(config, &cfg); err != nil {
		return nil, fmt.Errorf("reading compose config: %v", err)
	}
	names := make([]string, 0, len(cfg.Services))
	for n := range cfg.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// A hostWrite is a mount through which a trial container could write
// outside the scratch copy: a writable bind of a host path, or an external
// volume (the user's own data).
type hostWrite struct {
	Service, What string
}

// hostWrites reads the configuration compose resolved ("compose config"
// in the scratch copy dir) and returns the writable mounts that leave it.
func hostWrites(config []byte, dir string) ([]hostWrite, error) {
	var cfg struct {
		Services map[string]struct {
			Volumes []yaml.Node `yaml:"volumes"`
		} `yaml:"services"`
		Volumes map[string]*struct {
			External   yaml.Node         `yaml:"external"`
			Name       string            `yaml:"name"`
			DriverOpts map[string]string `yaml:"driver_opts"`
		} `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(config, &cfg); err != nil {
		return nil, fmt.Errorf("reading compose config: %v", err)
	}
	external := func(name string) bool {
		v := cfg.Volumes[name]
		if v == nil || v.External.Kind == 0 {
			return false
		}
		var b bool
		if v.External.Decode(&b) == nil {
			return b
		}
		return v.External.Kind == yaml.MappingNode // external: {name: x}, compose 2 files
	}
	// device returns the device a named volume of the local driver
	// mounts ("o: bind" and a host path, an NFS export), or "".
	device := func(name string) string {
		if v := cfg.Volumes[name]; v != nil && v.External.Kind == 0 {
			return v.DriverOpts["device"]
		}
		return ""
	}
	// Compose prints paths resolved (docker-compose always, Compose v5
	// when PWD is not dir, as under rofix): dir is compared resolved too.
	realDir := dir
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		realDir = r
	}
	within := func(p, d string) bool {
		rel, err := filepath.Rel(d, p)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	inside := func(p string) bool {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return within(real, realDir)
		}
		return within(p, dir) || within(p, realDir)
	}
	var out []hostWrite
	for name, s := range cfg.Services {
		for _, v := range s.Volumes {
			var typ, source string
			readOnly := false
			switch v.Kind {
			case yaml.ScalarNode:
				parts := strings.Split(v.Value, ":")
				if len(parts) < 2 {
					continue // an anonymous volume
				}
				source = parts[0]
				if len(parts) > 2 {
					for _, o := range strings.Split(parts[2], ",") {
						readOnly = readOnly || o == "ro"
					}
				}
				typ = "volume"
				if strings.HasPrefix(source, "/") || strings.HasPrefix(source, ".") || strings.HasPrefix(source, "~") {
					typ = "bind"
				}
			case yaml.MappingNode:
				var m struct {
					Type     string `yaml:"type"`
					Source   string `yaml:"source"`
					ReadOnly bool   `yaml:"read_only"`
				}
				if err := v.Decode(&m); err != nil {
					return nil, fmt.Errorf("reading compose config: service %s: %v", name, err)
				}
				typ, source, readOnly = m.Type, m.Source, m.ReadOnly
			}
			switch {
			case readOnly:
			case typ == "bind" && !inside(source):
				out = append(out, hostWrite{name, "the host path " + source})
			case typ == "volume" && external(source):
				out = append(out, hostWrite{name, "the external volume " + source})
			case typ == "volume" && device(source) != "":
				out = append(out, hostWrite{name, "the volume " + source + " on " + device(source)})
			}
		}
	}
	return out, nil
}

// errHostWrites is returned when a trial would write outside its copy.
var errHostWrites = errors.New("host writes")
