package report

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/textpos"
)

// A Position is a place in a file, counted the ways the reports need.
type Position struct {
	Offset int // 0-based byte offset
	Line   int // 1-based; lines end at "\n" (a "\r" before it ends the line too)
	Column int // 1-based, in bytes, as rofix's text output counts
	// Column16 is 1-based, in UTF-16 code units, as SARIF counts by default
	// (columnKind utf16CodeUnits). A UTF-8 byte order mark is not a
	// character of the text and is not counted; an invalid UTF-8 byte counts
	// as one U+FFFD.
	Column16 int
}

// index resolves byte offsets of one file's content.
type index struct {
	src []byte
	x   *textpos.Index
	bom bool
}

func newIndex(src []byte) *index {
	return &index{src: src, x: textpos.New(src), bom: bytes.HasPrefix(src, []byte("\uFEFF"))}
}

func (ix *index) pos(offset int) Position {
	p := ix.x.Pos(offset)
	c16 := p.UTF16 + 1
	if ix.bom && p.Line == 1 && p.Offset >= 3 {
		c16--
	}
	return Position{Offset: p.Offset, Line: p.Line, Column: p.Column, Column16: c16}
}

// inNewline reports whether offset falls between the "\r" and the "\n" of a
// CRLF, where no line and column can name it: SARIF treats "\r\n" as one
// newline sequence.
func (ix *index) inNewline(offset int) bool {
	return offset > 0 && offset < len(ix.src) && ix.src[offset-1] == '\r' && ix.src[offset] == '\n'
}

// region returns the positions of a span for a SARIF region, with an end
// inside a CRLF moved before it.
func (ix *index) region(start, end int) (Position, Position) {
	if ix.inNewline(end) && end > start {
		end--
	}
	return ix.pos(start), ix.pos(end)
}

// A replacement is an edit as a SARIF replacement: deleting [start, end)
// and inserting text. Its bounds never split a CRLF, and no two
// replacements of a file touch, so applying them in any order gives the
// same content.
type replacement struct {
	start, end Position
	text       string
}

// replacements turns sorted edits into replacements that produce exactly
// the same content: an edit with a bound inside a CRLF is widened over it
// (keeping the bytes it covers), and edits whose widened spans touch or
// overlap become one replacement (two insertions at one offset would
// otherwise have no defined order).
func (ix *index) replacements(sorted []edit.Edit) []replacement {
	type group struct {
		wstart, wend, last int // widened span; the last edit's end
		text               strings.Builder
	}
	var groups []*group
	for _, e := range sorted {
		ws, we := e.Start, e.End
		if ix.inNewline(ws) {
			ws--
		}
		if ix.inNewline(we) {
			we++
		}
		if n := len(groups); n > 0 && ws <= groups[n-1].wend {
			g := groups[n-1]
			g.text.Write(ix.src[g.last:e.Start])
			g.text.WriteString(e.Text)
			g.last, g.wend = e.End, max(g.wend, we)
			continue
		}
		g := &group{wstart: ws, wend: we, last: e.End}
		g.text.Write(ix.src[ws:e.Start])
		g.text.WriteString(e.Text)
		groups = append(groups, g)
	}
	out := make([]replacement, len(groups))
	for i, g := range groups {
		g.text.Write(ix.src[g.last:g.wend])
		out[i] = replacement{start: ix.pos(g.wstart), end: ix.pos(g.wend), text: g.text.String()}
	}
	return out
}

// validText reports whether s can travel as a JSON string unchanged.
func validText(s string) bool { return utf8.ValidString(s) }
