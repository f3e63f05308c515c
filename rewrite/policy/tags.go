package policy

// This file reads versions out of image tags and compares them with the
// version ranges of the table (ImageEntry.Ranges).

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A version is the numbers of a dotted version: "16.4" is [16 4].
type version []int

// parseVersion reads a version at the start of s ("16", "16.4",
// "16-alpine", "16.4-bookworm", "v2.1", "3-core"); ok is false when s does
// not start with a number (after an optional "v").
func parseVersion(s string) (v version, ok bool) {
	s = strings.TrimPrefix(s, "v")
	for {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i > 9 {
			return v, len(v) > 0
		}
		n, _ := strconv.Atoi(s[:i])
		v = append(v, n)
		if i == len(s) || s[i] != '.' {
			return v, true
		}
		s = s[i+1:]
	}
}

// compare orders versions number by number; a missing number is 0
// ("18" equals "18.0").
func (v version) compare(w version) int {
	for i := 0; i < max(len(v), len(w)); i++ {
		a, b := 0, 0
		if i < len(v) {
			a = v[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return a - b
		}
	}
	return 0
}

func (v version) String() string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

// inRange reports whether v is in the range r: comparisons separated by
// spaces, all of which must hold ("<18", ">=18", ">=1.2 <2", "=7").
func inRange(v version, r string) (bool, error) {
	fields := strings.Fields(r)
	if len(fields) == 0 {
		return false, fmt.Errorf("empty version range")
	}
	for _, f := range fields {
		op := f[:len(f)-len(strings.TrimLeft(f, "<>="))]
		w, ok := parseVersion(f[len(op):])
		if !ok || w.String() != f[len(op):] {
			return false, fmt.Errorf("version range %q: %q is not OP VERSION (OP one of < <= > >= =)", r, f)
		}
		c := v.compare(w)
		var holds bool
		switch op {
		case "<":
			holds = c < 0
		case "<=":
			holds = c <= 0
		case ">":
			holds = c > 0
		case ">=":
			holds = c >= 0
		case "=":
			holds = c == 0
		default:
			return false, fmt.Errorf("version range %q: %q is not OP VERSION (OP one of < <= > >= =)", r, f)
		}
		if !holds {
			return false, nil
		}
	}
	return true, nil
}

// A TagResolution says which version of an entry a tag stands for.
type TagResolution struct {
	// Version is the version whose ranges apply ("" when the entry has no
	// Latest and the tag holds no version).
	Version string
	// Note says how it was found when the tag alone does not say it:
	// "postgres:latest stands for 18 (read 2026-12-07)", "postgres:19 is
	// newer than rofix's table (18, read 2026-12-07); using 18's facts".
	Note string
}

// resolveTag finds the version a tag of e's image stands for: the version
// the tag starts with (or that TagVersion finds), else the entry's
// Floating or Latest version for a floating tag ("latest", "", "alpine",
// "lts"). A version newer than Latest's major uses Latest, reported.
func (e *ImageEntry) resolveTag(image, tag string) TagResolution {
	text := tag
	if e.TagVersion != "" {
		if m := regexp.MustCompile(e.TagVersion).FindStringSubmatch(tag); len(m) > 1 {
			text = m[1]
		} else {
			text = ""
		}
	}
	latest, hasLatest := parseVersion(e.Latest)
	if v, ok := parseVersion(text); ok {
		if hasLatest && v[0] > latest[0] {
			return TagResolution{Version: e.Latest, Note: fmt.Sprintf("%s:%s is newer than rofix's table (%s, read %s); using %s's facts", image, tag, e.Latest, e.Read, e.Latest)}
		}
		return TagResolution{Version: v.String()}
	}
	name := tag
	if name == "" {
		name = "latest"
	}
	if f, ok := e.Floating[tag]; ok {
		return TagResolution{Version: f, Note: fmt.Sprintf("%s:%s stands for %s (read %s)", image, name, f, e.Read)}
	}
	if !hasLatest {
		return TagResolution{}
	}
	return TagResolution{Version: e.Latest, Note: fmt.Sprintf("%s:%s stands for %s (read %s)", image, name, e.Latest, e.Read)}
}
