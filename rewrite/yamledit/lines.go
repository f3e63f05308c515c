package yamledit

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/edit"
)

// OnePerLine reports whether a multi-line flow collection has its last
// entry on a line of its own (after the bracket's line and after the
// previous entry's), and returns that line's indentation.
func (s *Source) OnePerLine(col *yaml.Node) (string, bool) {
	step := 1
	if col.Kind == yaml.MappingNode {
		step = 2
	}
	n := len(col.Content)
	last := s.LineOf(s.Start(col.Content[n-step]))
	if last == s.LineOf(s.Start(col)) || n > step && s.LineOf(s.Start(col.Content[n-2*step])) == last {
		return "", false
	}
	return strings.Repeat(" ", s.IndentAt(s.LineStart(last+1))), true
}

// FlowLines returns where and what to insert to add entries on lines of
// their own after the last entry of a flow collection, which ends at end:
// after its trailing comma (and any comment on that line), keeping a
// trailing comma, or after the entry, adding the comma it lacks.
func (s *Source) FlowLines(end int, pad string, parts []string) (int, string) {
	sep := "," + s.EOL + pad
	i := end
	for i < len(s.Src) && isSpace(s.Src[i]) {
		i++
	}
	if i < len(s.Src) && s.Src[i] == ',' {
		return s.LineEnd(i), s.EOL + pad + strings.Join(parts, sep) + ","
	}
	return end, sep + strings.Join(parts, sep)
}

// InsertLines returns a block edit inserting whole lines at a line start,
// with the file's line ending. At the end of a file without a final line
// break the lines go after a new break and the file still ends without one;
// when that last line holds only spaces, the lines go before it instead:
// a break added after it would be a line of a keep-chomped block scalar
// ("|+") above, changing its value.
func (s *Source) InsertLines(at int, lines []string) edit.Edit {
	eol := s.EOL
	text := strings.Join(lines, eol) + eol
	if at == len(s.Src) && at > 0 && !isBreak(s.Src[at-1]) {
		last := s.lineStarts[s.LineOf(at-1)]
		if strings.Trim(string(s.Src[last:at]), " \t") == "" {
			return edit.Edit{Start: last, End: last, Text: text, Block: true}
		}
		text = eol + strings.Join(lines, eol)
	}
	return edit.Edit{Start: at, End: at, Text: text, Block: true}
}

// StripFinalScalar returns the edit that keeps the value of a literal or
// folded block scalar ending the file on a content line without a line
// break, when lines are about to be added after it: the break they need
// would end the scalar's value with a newline, so its header gets strip
// chomping ("|" or "|+" becomes "|-"), which drops that newline again.
// ok is false when the file does not end so.
func (s *Source) StripFinalScalar() (e edit.Edit, ok bool) {
	n := len(s.Src)
	if n == 0 || isBreak(s.Src[n-1]) || len(s.Docs) == 0 {
		return edit.Edit{}, false
	}
	if last := s.lineStarts[s.LineOf(n-1)]; strings.Trim(string(s.Src[last:]), " \t") == "" {
		return edit.Edit{}, false // InsertLines goes before a line of spaces
	}
	node := s.Docs[len(s.Docs)-1]
	for depth := 0; len(node.Content) > 0 && depth < 10000; depth++ {
		node = node.Content[len(node.Content)-1]
	}
	if node.Kind != yaml.ScalarNode || node.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		return edit.Edit{}, false
	}
	at := s.Start(node) // the "|" or ">"
	if at >= n || s.Src[at] != '|' && s.Src[at] != '>' {
		return edit.Edit{}, false
	}
	end := at + 1
	for end < n && (s.Src[end] == '+' || s.Src[end] == '-' || s.Src[end] >= '1' && s.Src[end] <= '9') {
		end++
	}
	header := string(s.Src[at:end])
	if strings.Contains(header, "-") {
		return edit.Edit{}, false // already strip: the value never ends with a newline
	}
	return edit.Edit{Start: at, End: end, Text: header[:1] + "-" + strings.Trim(header[1:], "+")}, true
}

// AfterEntry returns where lines go after an entry whose text ends at end:
// the start of the next line, past comment lines indented deeper than the
// entries (they belong to the last entry), but not past a rofix:ignore
// directive (it governs the line below it). Blank lines and comments at the
// entries' column or left of it stay after the inserted lines.
func (s *Source) AfterEntry(end, entryCol int) int {
	at := s.NextLine(end)
	for at < len(s.Src) {
		ind := s.IndentAt(at)
		if at+ind < len(s.Src) && s.Src[at+ind] == '#' && ind > entryCol && !s.directiveLine(at+ind) {
			at = s.NextLine(at)
			continue
		}
		break
	}
	return at
}

// directiveLine reports whether the comment at off is a rofix:ignore
// directive: it governs the line below it, so nothing may be inserted
// between them, however deep it is indented (rofix:ignore-file holds
// anywhere and may move).
func (s *Source) directiveLine(off int) bool {
	end := s.NextLine(off)
	line := string(s.Src[off:end])
	return strings.Contains(line, "rofix:ignore") && !strings.Contains(line, "rofix:ignore-file")
}

// depths sets the nesting depth of each node of want that the documents
// hold (aliases are not followed: a node is counted where it is written).
func (s *Source) depths(want map[*yaml.Node]int) {
	var visit func(n *yaml.Node, d int)
	visit = func(n *yaml.Node, d int) {
		if _, ok := want[n]; ok {
			want[n] = d
		}
		for _, child := range n.Content {
			visit(child, d+1)
		}
	}
	for _, d := range s.Docs {
		visit(d, 0)
	}
}

// FlowAppend returns the edit appending entries (each already written in
// flow style, "key: value" in a mapping) to flow collection col: after its
// last entry, on lines of their own when the collection has one entry per
// line, or right after the opening bracket when it is empty. indent is the
// column owning col.
func (s *Source) FlowAppend(col *yaml.Node, indent int, parts []string) (edit.Edit, error) {
	text := strings.Join(parts, ", ")
	var at int
	if n := len(col.Content); n == 0 {
		at = s.Start(col)
		if at >= len(s.Src) || s.Src[at] != '{' && s.Src[at] != '[' {
			return edit.Edit{}, errNotFlow
		}
		at++
	} else {
		end, err := s.End(col.Content[n-1], indent, true)
		if err != nil {
			return edit.Edit{}, err
		}
		if pad, ok := s.OnePerLine(col); ok {
			at, text = s.FlowLines(end, pad, parts)
		} else {
			at, text = end, ", "+text
		}
	}
	return edit.Edit{Start: at, End: at, Text: text}, nil
}
