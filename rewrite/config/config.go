// Package config reads rofix's config file, .rofix.yaml: its schema, strict
// validation (every error names the file, line and column), discovery of the
// file that governs a processed file, and how it turns the command line's
// policy into the policy of that file.
//
// The schema:
//
//	ro-mounts: auto            # auto | binds | off (the --ro-mounts flag wins when given)
//	rules:                     # rule switches; every rule is on by default
//	  read-only: true
//	  tmpfs: true
//	  no-new-privileges: true
//	  ro-mounts: true
//	  cap-drop: false          # the opt-in rules are off unless switched on
//	  non-root: false
//	images:                    # entries in the built-in schema: they extend or override it
//	  - name: my nginx
//	    match: [registry.example.com/web]
//	    tmpfs: [/var/cache/nginx, "/run/app:uid=1000,gid=1000"]
//	    volumes: [/var/lib/app]
//	    caps: [CHOWN, SETGID, SETUID]   # what it needs back after cap_drop: [ALL]
//	    run_as: "101:101"      # a non-root UID:GID it runs correctly as
//	    verdict: yes
//	    confidence: learned
//	    sources: ["rofix learn on 2026-11-30"]
//	services:                  # per-service overrides, by compose service name
//	  web:                     # same fields as an image entry, without match
//	    tmpfs: [/var/cache/app]
//	    verdict: no
//	include: [tests/e2e/compose.yml]   # globs a walk processes despite its defaults
//	exclude: [legacy/**]               # globs a walk skips
//
// In an image entry only match is required: name defaults to the first
// pattern, verdict to yes, confidence to "config" and sources to the
// entry's position in the file. In a service override every field is
// optional and a field left out changes nothing.
package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// FileName is the name discovery looks for.
const FileName = ".rofix.yaml"

// MaxSize is the largest config file rofix reads.
const MaxSize = 4 << 20

// DefaultConfidence is the confidence of an image entry that names none.
const DefaultConfidence = "config"

// Confidences are the confidence levels an entry may name: those of the
// built-in table, and "config" for knowledge a user wrote down.
var Confidences = []string{"verified", "documented", "reported", "guessed", "learned", DefaultConfidence}

// Config is one parsed config file.
type Config struct {
	// Path is the file's path as rofix prints it.
	Path string
	// ROMounts is the ro-mounts mode, nil when the file sets none.
	ROMounts *policy.ROMounts
	// Rules holds the rule switches the file sets (true: on).
	Rules map[finding.Rule]bool
	// Images are the file's image entries, in file order, defaults filled.
	Images []*policy.ImageEntry
	// Services are the per-service overrides by compose service name.
	Services map[string]*policy.ImageEntry
	// Include and Exclude are the walk's path patterns (see paths.go),
	// relative to Dir, the config file's absolute directory ("" when the
	// config was parsed from memory: the patterns then match nothing).
	Include, Exclude []PathGlob
	Dir              string
}

// Load reads and parses the config file at path.
func Load(path string) (*Config, error) { return loadAs(path, path) }

// loadAs loads the file at path, naming it shown in errors and sources.
func loadAs(path, shown string) (*Config, error) {
	fail := func(msg string) (*Config, error) { return nil, Errors{{Path: shown, Msg: msg}} }
	f, err := os.Open(path)
	if err != nil {
		return fail(trimPathError(err))
	}
	defer f.Close()
	info, err := f.Stat()
	switch {
	case err != nil:
		return fail(trimPathError(err))
	case info.IsDir():
		return fail("is a directory, not a config file")
	case info.Size() > MaxSize:
		return fail(fmt.Sprintf("config file is %d bytes, over the %d MiB limit", info.Size(), MaxSize>>20))
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return fail(trimPathError(err))
	}
	if len(src) > MaxSize {
		return fail(fmt.Sprintf("config file grew over the %d MiB limit while reading", MaxSize>>20))
	}
	c, err := Parse(shown, src)
	if c != nil {
		if abs, err := filepath.Abs(path); err == nil {
			c.Dir = filepath.Dir(abs)
		}
	}
	return c, err
}

func trimPathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Apply returns the policy of a file this config governs: base (the
// command line's policy) with the config's ro-mounts mode unless
// flagROMounts says the flag was given, the rules it switches off, the
// opt-in rules it switches on (added to base.On: an --enable flag wins
// over a false there), its image entries over the built-in table, and its
// service overrides.
func (c *Config) Apply(base policy.Policy, flagROMounts bool) policy.Policy {
	p := base
	if c.ROMounts != nil && !flagROMounts {
		p.ROMounts = *c.ROMounts
	}
	p.Off = append([]finding.Rule(nil), base.Off...)
	p.On = append([]finding.Rule(nil), base.On...)
	for _, r := range finding.Rules {
		on, set := c.Rules[r.ID]
		switch {
		case !set:
		case r.OptIn && on && !slices.Contains(p.On, r.ID):
			p.On = append(p.On, r.ID)
		case !r.OptIn && !on:
			p.Off = append(p.Off, r.ID)
		}
	}
	if len(c.Images) > 0 {
		k := base.Images
		if k == nil {
			k = policy.Builtin()
		}
		p.Images = k.With(c.Images)
	}
	if len(c.Services) > 0 {
		p.Services = c.Services
	}
	return p
}

// An Error is one problem in a config file, at a line and column when
// known (0 otherwise).
type Error struct {
	Path         string
	Line, Column int
	Msg          string
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Errors are every problem found in one config file, in file order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}
