package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rofix/rofix/rewrite/policy"
)

// A Finder gives each processed file its config and policy. Discovery
// looks for .rofix.yaml in the file's directory, then in each parent, and
// stops after the repository root (the nearest directory holding a .git
// entry, a directory or a worktree's file) or, outside a repository, at the
// filesystem root. With an explicit --config file that file governs every
// processed file and nothing is discovered.
//
// A Finder looks at each directory and loads each config file once, and is
// safe for concurrent use: the command line asks it from every worker.
type Finder struct {
	base         policy.Policy
	flagROMounts bool
	cwd          string
	explicit     *Governing // from --config, else nil
	none         *Governing // no config: the base policy

	mu    sync.Mutex
	dirs  map[string]*once // absolute directory -> its governing config
	files map[string]*once // absolute config path -> the loaded config
}

type once struct {
	sync.Once
	g *Governing
}

// Governing is what governs a processed file: its config file (if any)
// and the policy that results.
type Governing struct {
	// Config is the config file, nil when none governs the file or when it
	// has errors.
	Config *Config
	// Path is the config file's path as printed; "" when there is none.
	Path string
	// Policy is the file's policy: the base policy with the config applied.
	Policy policy.Policy
	// Err is the config file's error (an Errors value for a bad file):
	// the file it governs must not be processed.
	Err error
}

// NewFinder returns a Finder that applies configs over base (the command
// line's policy); flagROMounts says --ro-mounts was given, so that it wins
// over a config's ro-mounts. A non-empty explicit path is the --config file:
// it is loaded now, and its error returned.
func NewFinder(base policy.Policy, flagROMounts bool, explicit string) (*Finder, error) {
	f := &Finder{
		base:         base,
		flagROMounts: flagROMounts,
		none:         &Governing{Policy: base},
		dirs:         map[string]*once{},
		files:        map[string]*once{},
	}
	f.cwd, _ = os.Getwd()
	if explicit != "" {
		f.explicit = f.load(explicit, explicit)
		if f.explicit.Err != nil {
			return nil, f.explicit.Err
		}
	}
	return f, nil
}

// For returns what governs the file at path (as given on the command line
// or by a walk; for stdin, the --stdin-filename).
func (f *Finder) For(path string) *Governing {
	return f.ForDir(filepath.Dir(path))
}

// ForDir returns what governs the files of directory dir.
func (f *Finder) ForDir(dir string) *Governing {
	if f.explicit != nil {
		return f.explicit
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return f.none
	}
	return f.dir(abs)
}

// entry returns the cache slot for key in m, creating it.
func (f *Finder) entry(m map[string]*once, key string) *once {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := m[key]
	if !ok {
		e = &once{}
		m[key] = e
	}
	return e
}

// dir returns what governs the files of the absolute directory dir.
func (f *Finder) dir(dir string) *Governing {
	e := f.entry(f.dirs, dir)
	e.Do(func() {
		candidate := filepath.Join(dir, FileName)
		_, err := os.Stat(candidate)
		switch {
		case err == nil:
			e.g = f.file(candidate)
			return
		case !errors.Is(err, fs.ErrNotExist):
			shown := f.display(candidate)
			e.g = &Governing{Path: shown, Policy: f.base, Err: Errors{{Path: shown, Msg: trimPathError(err)}}}
			return
		}
		parent := filepath.Dir(dir)
		if parent == dir || isRepoRoot(dir) {
			e.g = f.none
			return
		}
		e.g = f.dir(parent)
	})
	return e.g
}

// file loads the config file at the absolute path abs, once.
func (f *Finder) file(abs string) *Governing {
	e := f.entry(f.files, abs)
	e.Do(func() { e.g = f.load(abs, f.display(abs)) })
	return e.g
}

// load reads a config file and computes its policy.
func (f *Finder) load(path, shown string) *Governing {
	c, err := loadAs(path, shown)
	if err != nil {
		return &Governing{Path: shown, Policy: f.base, Err: err}
	}
	return &Governing{Config: c, Path: shown, Policy: c.Apply(f.base, f.flagROMounts)}
}

// display is how a discovered config file's path is printed: relative to
// the working directory when it lies under it, else absolute.
func (f *Finder) display(abs string) string {
	if f.cwd == "" {
		return abs
	}
	rel, err := filepath.Rel(f.cwd, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return abs
	}
	return rel
}

// isRepoRoot reports whether dir holds a .git entry (a repository's
// directory, or the file of a worktree or submodule).
func isRepoRoot(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, ".git"))
	return err == nil
}
