package cli

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"mvdan.cc/sh/v3/fileutil"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/config"
	"github.com/rofix/rofix/rewrite/gitignore"
)

// maxIgnoreSize is the largest .gitignore file a walk reads.
const maxIgnoreSize = 1 << 20

// A walker walks the directories named on the command line and yields
// the files to process and the skips (skip.go), in byte order of their
// full paths.
type walker struct {
	opts  *options
	yield func(job)
}

// A dirCtx is what holds in one directory of a walk.
type dirCtx struct {
	path    string        // as printed
	abs     string        // absolute, for the config's include and exclude
	ignores []ignoreLevel // the .gitignore files in force, deepest last
	// forced: an include pattern covers the directory, no default skips
	// apply in it. inherited: the directory lies in one skipped by default
	// and is walked only for what an include pattern re-admits.
	forced    bool
	inherited *skip
	// cfg is the config whose include and exclude apply (nil when none
	// has patterns); top marks the walk's root, where it is looked up.
	cfg *config.Config
	top bool
}

// An ignoreLevel is a .gitignore file in force and where the walked
// directory lies relative to it ("" or a path ending in "/").
type ignoreLevel struct {
	file   *gitignore.File
	prefix string
}

// walk yields the files under root, without following symlinks.
func (w *walker) walk(root string) {
	abs, err := filepath.Abs(root)
	if err != nil {
		w.yield(job{path: root, err: err})
		return
	}
	w.dir(dirCtx{path: root, abs: abs, ignores: w.aboveRoot(abs), top: true})
}

// aboveRoot returns the ignore files that apply to the walk root from
// above it: .git/info/exclude and the .gitignore files from the
// repository's root down to the walk root's parent. Outside a repository
// there are none (the walk still reads the .gitignore files it meets: a
// tree copied without .git keeps their meaning).
func (w *walker) aboveRoot(abs string) []ignoreLevel {
	top := treeRoot(abs)
	var levels []ignoreLevel
	add := func(file, base string) {
		src, err := readSmall(file)
		if err != nil {
			return
		}
		rel, err := filepath.Rel(base, abs)
		if err != nil {
			return
		}
		prefix := ""
		if rel != "." {
			prefix = filepath.ToSlash(rel) + "/"
		}
		levels = append(levels, ignoreLevel{gitignore.Parse(w.display(file), src), prefix})
	}
	if info, err := os.Lstat(filepath.Join(top, ".git")); err == nil && info.IsDir() {
		add(filepath.Join(top, ".git", "info", "exclude"), top)
	}
	if top == abs {
		return levels
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil {
		return levels
	}
	dir := top
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		add(filepath.Join(dir, ".gitignore"), dir)
		dir = filepath.Join(dir, part)
	}
	return levels
}

// display names a file above the walk root: relative to the working
// directory when under it, else absolute.
func (w *walker) display(abs string) string {
	if cwd := w.opts.env.root; cwd != "" {
		if rel, err := filepath.Rel(cwd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return rel
		}
	}
	return abs
}

// dir walks one directory. Entries are visited in byte order of their
// full paths (a directory sorts as its name plus "/"), so the output order
// is the sorted order of the paths printed.
func (w *walker) dir(d dirCtx) {
	entries, err := os.ReadDir(d.path)
	if err != nil {
		w.yield(job{path: d.path, err: err})
		return
	}
	sort.SliceStable(entries, func(i, j int) bool { return sortKey(entries[i]) < sortKey(entries[j]) })
	// The config whose include and exclude apply here is the parent's,
	// unless this directory holds a config file or is a repository's root
	// (where discovery stops): no lookup for the other directories.
	cfg, lookup := d.cfg, d.top
	for _, e := range entries {
		switch e.Name() {
		case ".gitignore":
			if e.Type().IsRegular() {
				file := filepath.Join(d.path, ".gitignore")
				if src, err := readSmall(file); err == nil {
					d.ignores = append(d.ignores[:len(d.ignores):len(d.ignores)], ignoreLevel{gitignore.Parse(file, src), ""})
				}
			}
		case config.FileName, ".git":
			lookup = true
		}
	}
	if lookup {
		cfg = nil
		if g := w.opts.configs.ForDir(d.abs); g.Err == nil && g.Config != nil && len(g.Config.Include)+len(g.Config.Exclude) > 0 {
			cfg = g.Config
		}
	}
	d.cfg = cfg
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(d.path, name)
		var sel config.Selection
		if cfg != nil {
			sel = cfg.Select(filepath.Join(d.abs, name))
		}
		if e.IsDir() {
			if name != ".git" {
				w.subdir(d, cfg, sel, name, path)
			}
			continue
		}
		kind, ok := w.kindOf(e, path)
		if !ok {
			continue
		}
		// A file whose kind only its shebang tells is not read to count it.
		countable := kind != rewrite.Unknown || rewrite.IsYAMLName(name)
		var s *skip
		switch {
		case sel.Excluded != nil:
			s = &skip{class: skipExcluded, reason: "excluded by " + cfg.Describe(sel.Excluded)}
		case sel.Included != nil || d.forced:
			w.file(e, path, kind, true)
			continue
		case d.inherited != nil:
			s = &skip{class: d.inherited.class, reason: d.inherited.reason}
		default:
			if s = ignored(d.ignores, name, false); s == nil {
				s = defaultSkip(name, false)
			}
		}
		switch {
		case s == nil:
			w.file(e, path, kind, false)
		case countable:
			w.yield(job{path: path, skip: s})
		}
	}
}

// subdir walks or skips the directory name of d.
func (w *walker) subdir(d dirCtx, cfg *config.Config, sel config.Selection, name, path string) {
	sub := dirCtx{path: path, abs: filepath.Join(d.abs, name), forced: d.forced, inherited: d.inherited, cfg: cfg}
	sub.ignores = make([]ignoreLevel, len(d.ignores))
	for i, l := range d.ignores {
		sub.ignores[i] = ignoreLevel{l.file, l.prefix + name + "/"}
	}
	var s *skip
	switch {
	case sel.Excluded != nil:
		s = &skip{class: skipExcluded, reason: "excluded by " + cfg.Describe(sel.Excluded), dir: true, files: -1}
	case sel.Included != nil:
		sub.forced, sub.inherited = true, nil
	case d.forced:
	case d.inherited != nil:
		s = &skip{class: d.inherited.class, reason: d.inherited.reason, dir: true}
	default:
		if s = ignored(d.ignores, name, true); s == nil {
			s = defaultSkip(name, true)
		}
	}
	if s != nil && sel.Excluded == nil && cfg.IncludesUnder(sub.abs) {
		sub.inherited, s = s, nil // walked for what include re-admits
	}
	if s == nil {
		w.dir(sub)
		return
	}
	if s.files == 0 {
		if s.files = w.count(path); s.files == 0 {
			return // nothing rofix reads: not a skip
		}
	}
	w.yield(job{path: path + string(filepath.Separator), skip: s})
}

// file yields the job of a file the walk processes.
func (w *walker) file(e fs.DirEntry, path string, kind rewrite.Kind, forced bool) {
	switch {
	case e.Type()&fs.ModeSymlink != 0:
		if kind != rewrite.Unknown {
			w.yield(job{path: path, note: "symlink not followed", quiet: true})
		}
	case !e.Type().IsRegular():
		if kind != rewrite.Unknown {
			w.yield(job{path: path, err: fmt.Errorf("not a regular file (%s); skipped", e.Type())})
		}
	default:
		w.yield(job{path: path, kind: kind, forced: forced})
	}
}

// kindOf returns the kind a file's name gives (Unknown for YAML, known by
// its content, and for a file its shebang may make a script); false when
// the walk passes over the file.
func (w *walker) kindOf(e fs.DirEntry, path string) (rewrite.Kind, bool) {
	name := e.Name()
	kind := rewrite.Unknown
	switch {
	case rewrite.IsComposeName(name):
		kind = rewrite.Compose
	case rewrite.IsShellName(name):
		kind = rewrite.Shell
	case rewrite.KindOfName(path) != rewrite.Unknown:
		kind = rewrite.KindOfName(path)
	case rewrite.IsYAMLName(name):
		// Kubernetes manifests are known by their content, later.
	case fileutil.CouldBeScript2(e) == fileutil.ConfIfShebang:
		// A file without an extension: its shebang decides, later.
	default:
		return kind, false
	}
	if kind == rewrite.Markdown && !w.opts.docs {
		return kind, false // read only with --docs
	}
	return kind, true
}

// count returns the number of files under dir a walk would read, known by
// their names: a skipped directory is listed with it.
func (w *walker) count(dir string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if e.IsDir() {
			if e.Name() != ".git" && !vendoredDirs[e.Name()] {
				n += w.count(path)
			}
			continue
		}
		if kind, ok := w.kindOf(e, path); ok && e.Type().IsRegular() && (kind != rewrite.Unknown || rewrite.IsYAMLName(e.Name())) {
			n++
		}
	}
	return n
}

// ignored returns the skip of a name the .gitignore files in force ignore,
// nil when they do not.
func ignored(levels []ignoreLevel, name string, isDir bool) *skip {
	for i := len(levels) - 1; i >= 0; i-- {
		l := levels[i]
		if p := l.file.Match(l.prefix+name, isDir); p != nil {
			if !p.Ignores() {
				return nil
			}
			return &skip{class: skipIgnored, reason: fmt.Sprintf("ignored by git (%s:%d: %s)", l.file.Source, p.Line, p.Text), dir: isDir, files: -1}
		}
	}
	return nil
}

// readSmall reads a small file (a .gitignore) without following a symlink.
func readSmall(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxIgnoreSize))
}

func sortKey(d fs.DirEntry) string {
	if d.IsDir() {
		return d.Name() + "/"
	}
	return d.Name()
}
