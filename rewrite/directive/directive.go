// Package directive parses rofix's ignore comments:
//
//	# rofix:ignore                      skip every rule here
//	# rofix:ignore read-only,tmpfs      skip only these rules
//	# rofix:ignore tmpfs -- writes /tmp itself   (text after -- is a reason)
//	# rofix:ignore-file                 skip the whole file
//
// Where a directive applies (the line above a service or command, or the end
// of its line) is up to each engine; the syntax is the same everywhere.
package directive

import (
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
)

// An Ignore says which rules a directive switches off.
type Ignore struct {
	File  bool           // rofix:ignore-file
	All   bool           // every rule
	Rules []finding.Rule // the listed rules, when not All
	// Unknown lists rule ids the directive named that rofix does not know.
	// A directive with unknown ids ignores every rule: explicit choices win,
	// and a typo must not turn into an edit the author tried to prevent.
	Unknown []string
}

// Skips reports whether the directive switches rule off.
func (ig Ignore) Skips(rule finding.Rule) bool {
	if ig.All || ig.File {
		return true
	}
	for _, r := range ig.Rules {
		if r == rule {
			return true
		}
	}
	return false
}

// Merge returns the union of two directives.
func (ig Ignore) Merge(other Ignore) Ignore {
	return Ignore{
		File:    ig.File || other.File,
		All:     ig.All || other.All,
		Rules:   append(append([]finding.Rule(nil), ig.Rules...), other.Rules...),
		Unknown: append(append([]string(nil), ig.Unknown...), other.Unknown...),
	}
}

// Empty reports whether the directive switches nothing off.
func (ig Ignore) Empty() bool { return !ig.File && !ig.All && len(ig.Rules) == 0 }

// Parse reads one comment. The text may start with the comment marker "#";
// the directive must be the first thing in the comment. ok is false when the
// comment is not a rofix directive.
func Parse(comment string) (ig Ignore, ok bool) {
	text := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(comment), "#"))
	rest, found := strings.CutPrefix(text, "rofix:ignore")
	if !found {
		return Ignore{}, false
	}
	if after, isFile := strings.CutPrefix(rest, "-file"); isFile && (after == "" || after[0] == ' ' || after[0] == '\t') {
		return Ignore{File: true}, true
	}
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return Ignore{}, false // rofix:ignored, rofix:ignorex...
	}
	rest, _, _ = strings.Cut(rest, "--")
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return Ignore{All: true}, true
	}
	for _, id := range strings.Split(strings.Join(fields, ","), ",") {
		switch {
		case id == "":
		case finding.IsRule(id):
			ig.Rules = append(ig.Rules, finding.Rule(id))
		default:
			ig.Unknown = append(ig.Unknown, id)
		}
	}
	if len(ig.Unknown) > 0 || len(ig.Rules) == 0 {
		ig.All = true
	}
	return ig, true
}

// FindInLine looks for a directive in the comment part of a line: the text
// from the first "#" that starts a comment (at the line start or after a
// space or tab). Engines that know their comment syntax better may call Parse
// directly.
func FindInLine(line string) (Ignore, bool) {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return Parse(line[i:])
		}
	}
	return Ignore{}, false
}
