package yamledit

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/encoding"
	"github.com/rofix/rofix/rewrite/finding"
)

// Source is a parsed YAML file: the original bytes, the YAML documents
// yaml.v3 found in them, and the arithmetic that turns yaml.v3's positions
// (1-based lines and rune columns, libyaml's line breaks) into byte offsets.
type Source struct {
	Src        []byte
	EOL        string // the file's line ending, for inserted lines
	lineStarts []int  // byte offset of each line, by libyaml's rules
	Docs       []*yaml.Node
}

// Parse decodes every document of src. Errors carry the offset of the line
// yaml.v3 names.
func Parse(src []byte) (*Source, error) {
	s, err := NewSource(src)
	if err != nil {
		return nil, err
	}
	docs, err := DecodeAll(src)
	if err != nil {
		return nil, s.YAMLError(err)
	}
	s.Docs = docs
	return s, nil
}

// NewSource indexes the lines of src and checks its encoding, without
// decoding it: for a caller that decodes a text of its own (same byte
// offsets) and sets Docs.
func NewSource(src []byte) (*Source, error) {
	s := &Source{Src: src, EOL: "\n"}
	if bytes.Contains(src, []byte("\r\n")) {
		s.EOL = "\r\n"
	}
	s.indexLines()
	if err := encoding.Check(src, true); err != nil {
		return nil, err
	}
	return s, nil
}

// DecodeAll decodes every YAML document of text with yaml.v3; errors are
// yaml.v3's own (see YAMLError).
func DecodeAll(text []byte) ([]*yaml.Node, error) {
	var docs []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(text))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, &doc)
	}
}

// YAMLError converts a yaml.v3 error ("yaml: line 3: ...") into a PosError.
func (s *Source) YAMLError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, after, ok := strings.Cut(rest, ": "); ok {
			if n, convErr := strconv.Atoi(num); convErr == nil {
				line, msg = n, after
			}
		}
	}
	if isParserError(msg) && line > 0 {
		line++ // yaml.v3 reports a parser error's line 0-based
	}
	if isFlowError(msg) && (bytes.IndexByte(s.Src, '?') >= 0 || flowColonValue().Match(s.Src)) {
		msg += flowHint
	}
	if line == 0 {
		return finding.Errorf(0, "invalid YAML: %s", msg)
	}
	return finding.Errorf(s.LineStart(line), "invalid YAML: %s", msg)
}

// flowHint explains the usual cause of a flow collection error in a file
// its own tool reads: YAML 1.1 parsers (libyaml, yaml.v3, rofix's) end an
// unquoted value inside [ ] or { } at "?" and refuse one starting with
// ":", where YAML 1.2 parsers (compose's among them) take both.
const flowHint = ` (if an unquoted value inside [ ] or { } holds "?" or starts with ":", quote it: rofix's YAML parser ends it there, newer ones do not)`

// flowColonValue matches an unquoted value starting with ":" in a flow
// collection ("[:a]", "{a, :b}").
var flowColonValue = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[\[{,][ \t]*:[^ \t\r\n,\]}]`) })

func isFlowError(msg string) bool {
	return msg == "did not find expected ',' or ']'" || msg == "did not find expected ',' or '}'" || msg == "did not find expected node content"
}

// isParserError reports the messages of libyaml's parser (not its scanner):
// for those, yaml.v3 prints the 0-based line of the context mark.
func isParserError(msg string) bool {
	for _, m := range []string{
		"did not find expected node content", "did not find expected key",
		"did not find expected '-' indicator", "did not find expected ',' or ']'",
		"did not find expected ',' or '}'", "did not find expected <document start>",
	} {
		if msg == m {
			return true
		}
	}
	return false
}

// indexLines records where each line starts. Like libyaml it breaks lines
// at CRLF, LF, a lone CR, NEL, LS and PS, and does not count a UTF-8 BOM.
func (s *Source) indexLines() {
	src := s.Src
	start := 0
	if bytes.HasPrefix(src, []byte("\xEF\xBB\xBF")) {
		start = 3
	}
	if n := bytes.Count(src, []byte("\n")) + 1; cap(s.lineStarts) < n {
		s.lineStarts = make([]int, 0, n) // most files end lines with \n alone
	}
	s.lineStarts = append(s.lineStarts[:0], start)
	for i := start; i < len(src); i++ {
		switch src[i] {
		case '\n':
			s.lineStarts = append(s.lineStarts, i+1)
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			s.lineStarts = append(s.lineStarts, i+1)
		case 0xC2:
			if i+1 < len(src) && src[i+1] == 0x85 {
				i++
				s.lineStarts = append(s.lineStarts, i+1)
			}
		case 0xE2:
			if i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9) {
				i += 2
				s.lineStarts = append(s.lineStarts, i+1)
			}
		}
	}
}

// LineStart returns the offset of a 1-based line.
func (s *Source) LineStart(line int) int {
	if line < 1 {
		return 0
	}
	if line > len(s.lineStarts) {
		return len(s.Src)
	}
	return s.lineStarts[line-1]
}

// Pos returns the byte offset of a yaml.v3 position.
func (s *Source) Pos(line, column int) int {
	off := s.LineStart(line)
	for col := 1; col < column && off < len(s.Src); col++ {
		_, n := utf8.DecodeRune(s.Src[off:])
		off += n
	}
	return off
}

// Start returns the offset where a node's content starts: yaml.v3 reports
// a node with an anchor or a tag at the property, so skip "&name" (as long
// as the node's anchor) and "!tag" (up to a blank) and the space (or line
// breaks and comments) after them.
func (s *Source) Start(n *yaml.Node) int {
	off := s.Pos(n.Line, n.Column)
	// An empty plain scalar has no text: never look for it on later lines.
	empty := n.Kind == yaml.ScalarNode && n.Value == "" && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0
	anchor := n.Anchor != ""
	for off < len(s.Src) && (s.Src[off] == '&' || s.Src[off] == '!') {
		if s.Src[off] == '&' && anchor && off+1+len(n.Anchor) <= len(s.Src) {
			// The name is as long as the parsed one (renaming keeps
			// lengths), and the content may follow it at once:
			// "&a:0" is the scalar ":0" anchored as a.
			off += 1 + len(n.Anchor)
			anchor = false
		} else {
			for off < len(s.Src) && !isSpace(s.Src[off]) && !isBreak(s.Src[off]) {
				off++
			}
		}
		if empty {
			for off < len(s.Src) && isSpace(s.Src[off]) {
				off++
			}
			continue
		}
		off = s.SkipBlank(off)
	}
	return off
}

// SkipBlank skips spaces, line breaks and comments.
func (s *Source) SkipBlank(off int) int {
	for off < len(s.Src) {
		switch c := s.Src[off]; {
		case isSpace(c) || isBreak(c):
			off++
		case c == '#':
			off = s.LineEnd(off)
		default:
			return off
		}
	}
	return off
}

// LineOf returns the 0-based index of the line holding offset.
func (s *Source) LineOf(off int) int {
	lo, hi := 0, len(s.lineStarts)
	for lo < hi {
		mid := (lo + hi) / 2
		if s.lineStarts[mid] <= off {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo - 1
}

// LineEnd returns the offset of the line break ending the line at off (or
// the end of the file).
func (s *Source) LineEnd(off int) int {
	i := s.LineOf(off) + 1
	if i >= len(s.lineStarts) {
		return len(s.Src)
	}
	end := s.lineStarts[i]
	line := s.Src[s.lineStarts[i-1]:end]
	for _, br := range []string{"\r\n", "\n", "\r", "\u0085", "\u2028", "\u2029"} {
		if bytes.HasSuffix(line, []byte(br)) {
			return end - len(br)
		}
	}
	return end
}

// NextLine returns the offset of the line after the one holding off, or
// len(src) on the last line.
func (s *Source) NextLine(off int) int {
	i := s.LineOf(off) + 1
	if i >= len(s.lineStarts) {
		return len(s.Src)
	}
	return s.lineStarts[i]
}

// IndentAt returns the number of leading spaces of the line starting at off.
func (s *Source) IndentAt(lineStart int) int {
	n := 0
	for lineStart+n < len(s.Src) && s.Src[lineStart+n] == ' ' {
		n++
	}
	return n
}

// Column returns the 0-based byte column of off within its line.
func (s *Source) Column(off int) int { return off - s.lineStarts[s.LineOf(off)] }

func isSpace(c byte) bool { return c == ' ' || c == '\t' }
func isBreak(c byte) bool { return c == '\n' || c == '\r' }
