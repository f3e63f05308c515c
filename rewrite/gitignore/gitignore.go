// Package gitignore reads .gitignore files and tells which paths they
// ignore, with git's rules (gitignore(5)) and without running git: blank
// lines and # comments are skipped, trailing spaces dropped unless escaped,
// ! negates, a trailing / matches directories only, a pattern with a slash
// elsewhere is relative to the file's directory while one without matches
// a name at any depth, and * ? [...] ** match as in package glob. Within a
// file the last matching pattern decides; a deeper file decides before the
// files above it. A path inside an ignored directory is ignored whatever a
// deeper pattern says: callers do not enter ignored directories.
package gitignore

import (
	"bytes"
	"strings"

	"github.com/rofix/rofix/rewrite/glob"
)

// A Pattern is one line of a .gitignore file.
type Pattern struct {
	Line    int    // 1-based line in its file
	Text    string // the line as written, trailing spaces dropped
	negate  bool
	dirOnly bool
	glob    glob.Glob
}

// A File is the patterns of one .gitignore file, relative to the file's
// directory. Source names the file in messages.
type File struct {
	Source   string
	Patterns []Pattern
}

// Parse reads the content of a .gitignore file. Lines that are not valid
// patterns are dropped, as git drops them.
func Parse(source string, src []byte) *File {
	f := &File{Source: source}
	for i, line := range bytes.Split(src, []byte("\n")) {
		if p, ok := parseLine(string(bytes.TrimSuffix(line, []byte("\r")))); ok {
			p.Line = i + 1
			f.Patterns = append(f.Patterns, p)
		}
	}
	return f
}

func parseLine(s string) (Pattern, bool) {
	s = trimTrailingSpaces(s)
	if s == "" || s[0] == '#' {
		return Pattern{}, false
	}
	p := Pattern{Text: s}
	switch {
	case s[0] == '!':
		p.negate, s = true, s[1:]
	case strings.HasPrefix(s, `\!`), strings.HasPrefix(s, `\#`):
		s = s[1:]
	}
	if strings.HasSuffix(s, "/") {
		p.dirOnly, s = true, strings.TrimRight(s, "/")
	}
	if s == "" {
		return Pattern{}, false
	}
	if strings.Contains(s, "/") {
		s = strings.TrimPrefix(s, "/") // anchored to the file's directory
	} else {
		s = "**/" + s // a name at any depth
	}
	g, err := glob.Compile(s)
	if err != nil {
		return Pattern{}, false
	}
	p.glob = g
	return p, true
}

// trimTrailingSpaces drops trailing spaces that are not escaped with a
// backslash, and the backslash of an escaped one.
func trimTrailingSpaces(s string) string {
	end := len(s)
	for end > 0 && s[end-1] == ' ' {
		if end >= 2 && s[end-2] == '\\' {
			return s[:end-2] + " "
		}
		end--
	}
	return s[:end]
}

// Match returns the pattern that decides rel (slash-separated, relative to
// the file's directory; isDir says rel is a directory), nil when none
// matches. The path is ignored when the pattern is not a negation.
func (f *File) Match(rel string, isDir bool) *Pattern {
	for i := len(f.Patterns) - 1; i >= 0; i-- {
		p := &f.Patterns[i]
		if p.dirOnly && !isDir {
			continue
		}
		if p.glob.Match(rel) {
			return p
		}
	}
	return nil
}

// Ignores reports whether the pattern ignores what it matches (it is not a
// negation).
func (p *Pattern) Ignores() bool { return !p.negate }
