package shell

import (
	"strings"

	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/shellparse"
)

// layout returns the edit that inserts flags into an invocation, the index
// of the word they follow, and the words they add.
//
// A command written on one line gets the flags inline, right after its run
// word. A command continued over lines with "\" gets one flag per new
// continuation line at the first place, from the run word on, where a line
// of its flag region ends: after the run word itself or after a complete
// flag (with its value). The new lines copy the continuation as written
// there (the space before the backslash, LF or CRLF, and the indentation
// of the next line).
func layout(src []byte, inv *shellparse.Invocation, flags []string) (edit.Edit, int, []string) {
	var words []string
	for _, f := range flags {
		words = append(words, strings.Fields(f)...)
	}
	limit := inv.Image
	if limit > inv.Sub+1 && limit <= len(inv.Words) && inv.Words[limit-1].Value == "--" {
		limit-- // never insert after "--": that is the image's place
	}
	if len(inv.Hidden) > 0 && inv.Hidden[0] < limit {
		limit = inv.Hidden[0]
	}
	for b := inv.Sub; b < limit && b+1 < len(inv.Words); b++ {
		if insideFlag(inv, b) {
			continue
		}
		gap := string(src[inv.Words[b].End:inv.Words[b+1].Start])
		sep, nl, indent, ok := continuation(gap)
		if !ok {
			continue
		}
		var text strings.Builder
		for _, f := range flags {
			text.WriteString(sep + `\` + nl + indent + f)
		}
		at := inv.Words[b].End
		return edit.Edit{Start: at, End: at, Text: text.String()}, b, words
	}
	at := inv.Words[inv.Sub].End
	return edit.Edit{Start: at, End: at, Text: " " + strings.Join(flags, " ")}, inv.Sub, words
}

// insideFlag reports whether word b is a flag whose value is a later word.
func insideFlag(inv *shellparse.Invocation, b int) bool {
	for _, f := range inv.Flags {
		if f.Word <= b && f.ValueWord > b {
			return true
		}
	}
	return false
}

// continuation splits a gap between two words of the form
// SEP "\" NEWLINE INDENT, where SEP and INDENT are blanks and NEWLINE is
// LF or CRLF.
func continuation(gap string) (sep, nl, indent string, ok bool) {
	i := strings.IndexByte(gap, '\\')
	if i < 0 || strings.Trim(gap[:i], " \t") != "" {
		return "", "", "", false
	}
	sep, rest := gap[:i], gap[i+1:]
	switch {
	case strings.HasPrefix(rest, "\r\n"):
		nl = "\r\n"
	case strings.HasPrefix(rest, "\n"):
		nl = "\n"
	default:
		return "", "", "", false
	}
	indent = rest[len(nl):]
	if strings.Trim(indent, " \t") != "" {
		return "", "", "", false
	}
	return sep, nl, indent, true
}
