// Package textpos converts byte offsets of a text to lines and columns, the
// way editors and compilers print them: lines split at "\n", 1-based, with
// columns counted in bytes, runes or UTF-16 code units.
package textpos

import (
	"sort"
	"unicode/utf8"
)

// An Index answers line and column questions about one text.
type Index struct {
	src        []byte
	lineStarts []int
}

// New indexes src.
func New(src []byte) *Index {
	starts := []int{0}
	for i, b := range src {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &Index{src: src, lineStarts: starts}
}

// Position is a location in a text.
type Position struct {
	Offset int // 0-based byte offset
	Line   int // 1-based
	Column int // 1-based, in bytes
	Rune   int // 1-based, in runes
	UTF16  int // 0-based, in UTF-16 code units (as LSP counts)
}

// Pos returns the position of a byte offset, clamped to the text.
func (x *Index) Pos(offset int) Position {
	offset = max(0, min(offset, len(x.src)))
	line := sort.Search(len(x.lineStarts), func(i int) bool { return x.lineStarts[i] > offset }) - 1
	start := x.lineStarts[line]
	p := Position{Offset: offset, Line: line + 1, Column: offset - start + 1}
	prefix := x.src[start:offset]
	p.Rune = utf8.RuneCount(prefix) + 1
	for len(prefix) > 0 {
		r, n := utf8.DecodeRune(prefix)
		prefix = prefix[n:]
		p.UTF16++
		if r >= 0x10000 {
			p.UTF16++
		}
	}
	return p
}

// LineStart returns the byte offset where 1-based line starts.
func (x *Index) LineStart(line int) int {
	if line < 1 {
		return 0
	}
	if line > len(x.lineStarts) {
		return len(x.src)
	}
	return x.lineStarts[line-1]
}
