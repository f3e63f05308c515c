// Package glob matches slash-separated relative paths against patterns in
// the syntax .gitignore files and .rofix.yaml's include and exclude share:
// *, ? and [...] match within one path segment (as path.Match, with [!...]
// also negating), and a segment that is exactly ** matches any number of
// segments: zero or more in front of or between others (**/a, a/**/b), one
// or more at the end (a/** is everything inside a, not a itself).
package glob

import (
	"errors"
	"path"
	"strings"
)

// A Glob is a compiled pattern.
type Glob struct {
	pattern string
	segs    []string
}

// Compile checks pattern and returns its Glob. A pattern is relative: it
// may not be empty, start with a slash or hold an empty segment.
func Compile(pattern string) (Glob, error) {
	if pattern == "" {
		return Glob{}, errors.New("empty pattern")
	}
	if strings.HasPrefix(pattern, "/") {
		return Glob{}, errors.New("pattern starts with /: patterns are relative")
	}
	segs := strings.Split(strings.TrimSuffix(pattern, "/"), "/")
	for i, s := range segs {
		if s == "" {
			return Glob{}, errors.New("pattern has an empty segment (//)")
		}
		s = negation(s)
		if _, err := path.Match(s, ""); err != nil {
			return Glob{}, errors.New("bad pattern: unclosed [ or trailing \\")
		}
		segs[i] = s
	}
	return Glob{pattern: pattern, segs: segs}, nil
}

// negation rewrites the [!...] of shell and git globs into the [^...]
// path.Match reads.
func negation(seg string) string {
	if !strings.Contains(seg, "[!") {
		return seg
	}
	var b strings.Builder
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		b.WriteByte(c)
		switch {
		case c == '\\' && i+1 < len(seg):
			i++
			b.WriteByte(seg[i])
		case c == '[' && i+1 < len(seg) && seg[i+1] == '!':
			b.WriteByte('^')
			i++
		}
	}
	return b.String()
}

// String returns the pattern as written.
func (g Glob) String() string { return g.pattern }

// Match reports whether the relative slash-separated path p matches.
func (g Glob) Match(p string) bool {
	return match(g.segs, strings.Split(p, "/"))
}

// MatchUnder reports whether some path inside directory dir (relative,
// slash-separated) may match: dir itself matches, or a path below it could.
// A walk enters a directory it would skip when MatchUnder says so.
func (g Glob) MatchUnder(dir string) bool {
	return prefix(g.segs, strings.Split(dir, "/"))
}

func match(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			if len(pat) == 1 {
				return len(segs) > 0 // a trailing ** is one or more segments
			}
			for i := 0; i <= len(segs); i++ {
				if match(pat[1:], segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], segs[0]); !ok {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}

// prefix reports whether segs, extended by zero or more segments, can
// match pat.
func prefix(pat, segs []string) bool {
	for len(segs) > 0 {
		if len(pat) == 0 {
			return false
		}
		if pat[0] == "**" {
			return true
		}
		if ok, _ := path.Match(pat[0], segs[0]); !ok {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return true
}
