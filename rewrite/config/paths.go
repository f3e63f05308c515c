package config

import (
	"fmt"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/glob"
)

// A PathGlob is one pattern of include or exclude: a glob (package glob's
// syntax, ** for any number of directories) relative to the config file's
// directory. A pattern that matches a directory covers all it holds.
type PathGlob struct {
	glob.Glob
	Line int // in the config file
}

// Selection is what include and exclude decide for one path.
type Selection struct {
	// Excluded is the exclude pattern that matches, nil when none: the
	// walk skips the path. Exclude wins over include.
	Excluded *PathGlob
	// Included is the include pattern that matches, nil when none: the
	// walk processes the path whatever its defaults say.
	Included *PathGlob
}

// Select returns what c's include and exclude patterns say of the path abs
// (absolute; a path outside the config file's directory matches nothing).
func (c *Config) Select(abs string) Selection {
	var s Selection
	if c == nil || len(c.Include)+len(c.Exclude) == 0 {
		return s
	}
	rel, ok := c.rel(abs)
	if !ok {
		return s
	}
	for i := range c.Exclude {
		if c.Exclude[i].Match(rel) {
			s.Excluded = &c.Exclude[i]
			return s
		}
	}
	for i := range c.Include {
		if c.Include[i].Match(rel) {
			s.Included = &c.Include[i]
			break
		}
	}
	return s
}

// IncludesUnder reports whether an include pattern may match the directory
// absDir or a path inside it: a walk then enters a directory its defaults
// would skip.
func (c *Config) IncludesUnder(absDir string) bool {
	if c == nil || len(c.Include) == 0 {
		return false
	}
	rel, ok := c.rel(absDir)
	if !ok {
		return false
	}
	for _, g := range c.Include {
		if g.MatchUnder(rel) {
			return true
		}
	}
	return false
}

// rel returns abs relative to the config file's directory, slash-separated.
func (c *Config) rel(abs string) (string, bool) {
	if c.Dir == "" {
		return "", false
	}
	rel, err := filepath.Rel(c.Dir, abs)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// Describe names a pattern in a message: the config file, its line, the
// pattern.
func (c *Config) Describe(g *PathGlob) string {
	return fmt.Sprintf("%s:%d (%s)", c.Path, g.Line, g.String())
}

// pathGlobs decodes a list of include or exclude patterns.
func (d *decoder) pathGlobs(n *yaml.Node, where string) []PathGlob {
	items, ok := d.list(n, where)
	if !ok {
		return nil
	}
	var out []PathGlob
	for i, s := range items {
		item := resolve(n.Content[i])
		g, err := glob.Compile(strings.TrimPrefix(s, "./"))
		if err != nil {
			d.errorf(item, "%s[%d] is %q: %v (want a glob relative to the config file's directory, such as deploy/** or **/*.test.yaml)", where, i, s, err)
			continue
		}
		out = append(out, PathGlob{Glob: g, Line: item.Line})
	}
	return out
}
