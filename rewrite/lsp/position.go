package lsp

import (
	"sort"
	"unicode/utf8"
)

// encoding is how a Position's character counts: UTF-8 code units (bytes)
// or UTF-16 code units, the protocol's default.
type encoding string

const (
	utf8Encoding  encoding = "utf-8"
	utf16Encoding encoding = "utf-16"
)

// negotiate picks UTF-8 when the client offers it (no conversion needed),
// else UTF-16, which every client supports.
func negotiate(offered []string) encoding {
	for _, e := range offered {
		if e == string(utf8Encoding) {
			return utf8Encoding
		}
	}
	return utf16Encoding
}

// lines converts between byte offsets of a text and LSP positions. Lines
// end at "\n", "\r\n" or "\r", as the protocol counts them.
type lines struct {
	text   string
	starts []int
	enc    encoding
}

func newLines(text string, enc encoding) *lines {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			starts = append(starts, i+1)
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			starts = append(starts, i+1)
		}
	}
	return &lines{text: text, starts: starts, enc: enc}
}

// position returns the position of a byte offset, clamped to the text.
func (x *lines) position(off int) Position {
	off = max(0, min(off, len(x.text)))
	line := sort.Search(len(x.starts), func(i int) bool { return x.starts[i] > off }) - 1
	start := x.starts[line]
	if x.enc == utf8Encoding {
		return Position{Line: line, Character: off - start}
	}
	return Position{Line: line, Character: utf16Len(x.text[start:off])}
}

// rangeOf returns the range of the bytes [start, end).
func (x *lines) rangeOf(start, end int) Range {
	return Range{Start: x.position(start), End: x.position(end)}
}

// offset returns the byte offset of a position. A character past the end
// of its line means the end of the line and a line past the last means the
// end of the text, as the protocol says; a position inside a character
// (between the halves of a surrogate pair, or inside a UTF-8 sequence)
// means the start of that character.
func (x *lines) offset(p Position) int {
	switch {
	case p.Line < 0:
		return 0
	case p.Line >= len(x.starts):
		return len(x.text)
	}
	start := x.starts[p.Line]
	end := len(x.text)
	if p.Line+1 < len(x.starts) {
		end = x.starts[p.Line+1]
	}
	for end > start && (x.text[end-1] == '\n' || x.text[end-1] == '\r') {
		end--
	}
	off, units := start, 0
	for off < end {
		r, size := utf8.DecodeRuneInString(x.text[off:end])
		n := size
		if x.enc == utf16Encoding {
			n = utf16Units(r)
		}
		if units+n > p.Character {
			break
		}
		units += n
		off += size
	}
	return off
}

// utf16Len counts the UTF-16 code units of s. An invalid byte counts as
// one unit, as U+FFFD does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16Units(r)
	}
	return n
}

func utf16Units(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}
