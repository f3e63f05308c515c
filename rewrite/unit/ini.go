// Package unit hardens systemd unit files: Podman Quadlet .container units
// (ReadOnly=, NoNewPrivileges=, Tmpfs=, :ro on Volume=) and .service units
// whose Exec*= settings run docker or podman (through the shell
// engine, by way of rewrite/embed).
package unit

import (
	"bytes"
	"strings"

	"github.com/rofix/rofix/rewrite/directive"
)

// An entry is one Key=Value setting of a unit file.
type entry struct {
	section string
	key     string
	keyAt   int // offset of the key
	// valStart and valEnd delimit the value's text, continuation lines
	// included; lineEnd is where the logical line ends (before its break).
	valStart, valEnd int
	lineEnd          int
	continued        bool // the value spans several lines
	commentInside    bool // a comment line sits inside the continuation
	// above is the directive in a comment on the line above, if any.
	above    directive.Ignore
	aboveAt  int
	hasAbove bool
}

// A unitFile is the parsed structure of a unit file.
type unitFile struct {
	src      []byte
	eol      string
	entries  []*entry
	sections map[string]int // offset of the line after each section header
	// sectionEnd is, per section, the offset just past its last entry's
	// line break (where new keys go).
	sectionEnd map[string]int
	ignoreFile bool
	ignoreAt   int
}

// parseUnit reads the sections and settings of a unit file the way systemd
// does: comments start with # or ;, a line ending in a backslash continues
// on the next. Lines systemd would warn about are skipped as it skips them.
func parseUnit(src []byte) *unitFile {
	u := &unitFile{src: src, eol: "\n", sections: map[string]int{}, sectionEnd: map[string]int{}}
	if bytes.Contains(src, []byte("\r\n")) {
		u.eol = "\r\n"
	}
	section := ""
	var prevComment string
	prevCommentAt := -1
	for off := 0; off < len(src); {
		end, next := lineBounds(src, off)
		line := string(src[off:end])
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			prevComment, prevCommentAt = "", -1
		case trimmed[0] == '#' || trimmed[0] == ';':
			if ig, ok := directive.FindInLine(trimmed); ok && ig.File {
				u.ignoreFile, u.ignoreAt = true, off
			}
			prevComment, prevCommentAt = trimmed, off
		case trimmed[0] == '[':
			section = strings.TrimSuffix(trimmed[1:], "]")
			u.sections[section] = next
			u.sectionEnd[section] = next
			prevComment, prevCommentAt = "", -1
		default:
			eq := strings.IndexByte(line, '=')
			if eq < 0 {
				prevComment, prevCommentAt = "", -1
				break
			}
			e := &entry{section: section, key: strings.TrimSpace(line[:eq]), keyAt: off + len(line) - len(strings.TrimLeft(line, " \t"))}
			v := off + eq + 1
			for v < end && (src[v] == ' ' || src[v] == '\t') {
				v++
			}
			e.valStart = v
			// Continuation lines.
			for end > off && src[end-1] == '\\' && next < len(src) {
				e.continued = true
				off = next
				end, next = lineBounds(src, off)
				t := strings.TrimSpace(string(src[off:end]))
				if t != "" && (t[0] == '#' || t[0] == ';') {
					e.commentInside = true
				}
			}
			e.valEnd, e.lineEnd = end, end
			for e.valEnd > e.valStart && (src[e.valEnd-1] == ' ' || src[e.valEnd-1] == '\t') {
				e.valEnd--
			}
			if prevCommentAt >= 0 {
				if ig, ok := directive.Parse(prevComment); ok {
					e.above, e.aboveAt, e.hasAbove = ig, prevCommentAt, true
				}
			}
			u.entries = append(u.entries, e)
			u.sectionEnd[section] = next
			prevComment, prevCommentAt = "", -1
		}
		off = next
	}
	return u
}

// lineBounds returns the end of the line at off (before its break) and the
// start of the next line.
func lineBounds(src []byte, off int) (end, next int) {
	i := bytes.IndexByte(src[off:], '\n')
	if i < 0 {
		return len(src), len(src)
	}
	end = off + i
	if end > off && src[end-1] == '\r' {
		end--
	}
	return end, off + i + 1
}

// value returns an entry's value as systemd reads it: continuation
// backslash-line-break pairs become spaces.
func (u *unitFile) value(e *entry) string {
	v := string(u.src[e.valStart:e.valEnd])
	if !e.continued {
		return v
	}
	v = strings.ReplaceAll(v, "\\\r\n", " ")
	return strings.ReplaceAll(v, "\\\n", " ")
}

// in returns the entries of a section with a key.
func (u *unitFile) in(section, key string) []*entry {
	var out []*entry
	for _, e := range u.entries {
		if e.section == section && e.key == key {
			out = append(out, e)
		}
	}
	return out
}
