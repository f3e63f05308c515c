// Package embed hardens run commands embedded in other files (Makefile
// recipes, CI steps, systemd units, Markdown code blocks) with the shell
// engine. A host-specific extractor assembles each embedded command into a
// Snippet, a shell script whose bytes map back to the host file through an
// offset map; the shell engine plans on the snippet; its edits and findings
// are mapped back to host offsets (an edit that does not land on bytes
// copied verbatim from the host is refused); and verification extracts the
// snippets again from the edited host file and requires each to be exactly
// the edited snippet, which the shell engine verifies in turn.
package embed

import (
	"fmt"
	"sort"
	"strings"
)

// A piece is a run of snippet text standing for host bytes.
type piece struct {
	snip, host int // where the piece starts in the snippet and in the host
	snipLen    int
	hostLen    int
	verbatim   bool // the snippet text is the host text, byte for byte
}

// A Snippet is a shell script assembled from a host file.
type Snippet struct {
	Text   []byte
	pieces []piece
	// Escape turns text the shell engine inserts into host text (Make
	// doubles "$"); nil inserts it as is. It returns an error for text
	// the host cannot hold.
	Escape func(string) (string, error)
	// placeholders maps the variables that stand for host expressions
	// (${{ }}, $(shell ...)) to the host text, for messages.
	placeholders map[string]string
}

// Placeholder appends a shell variable standing for host bytes
// [start,end) that the shell engine cannot read (a CI expression, a make
// function): prefix plus a number, unique in the snippet.
func (s *Snippet) Placeholder(prefix string, host []byte, start, end int) {
	if s.placeholders == nil {
		s.placeholders = map[string]string{}
	}
	name := fmt.Sprintf("${%s_%d}", prefix, len(s.placeholders)+1)
	s.placeholders[name] = string(host[start:end])
	s.Mapped(name, start, end)
}

// hostText replaces the placeholders in a message with the host text they
// stand for.
func (s *Snippet) hostText(msg string) string {
	for name, text := range s.placeholders {
		msg = strings.ReplaceAll(msg, name, text)
	}
	return msg
}

// Verbatim appends host bytes [start,end) copied as they are.
func (s *Snippet) Verbatim(host []byte, start, end int) {
	s.pieces = append(s.pieces, piece{snip: len(s.Text), host: start, snipLen: end - start, hostLen: end - start, verbatim: true})
	s.Text = append(s.Text, host[start:end]...)
}

// Mapped appends text that stands for host bytes [start,end) without being
// them ("$" for Make's "$$"); edits cannot land inside it.
func (s *Snippet) Mapped(text string, start, end int) {
	s.pieces = append(s.pieces, piece{snip: len(s.Text), host: start, snipLen: len(text), hostLen: end - start})
	s.Text = append(s.Text, text...)
}

// Synthetic appends text with no host bytes (a line break joining two
// pieces); edits cannot land inside it.
func (s *Snippet) Synthetic(text string, at int) {
	s.Mapped(text, at, at)
}

// Len is the snippet's length.
func (s *Snippet) Len() int { return len(s.Text) }

// HostSpan returns the host range covered by the snippet.
func (s *Snippet) HostSpan() (int, int) {
	if len(s.pieces) == 0 {
		return 0, 0
	}
	last := s.pieces[len(s.pieces)-1]
	return s.pieces[0].host, last.host + last.hostLen
}

// hostOffset maps a snippet offset to the host. atEnd prefers the end of
// the piece before a boundary (for the end of a replaced range); an
// offset inside a piece that is not verbatim does not map.
func (s *Snippet) hostOffset(off int, atEnd bool) (int, bool) {
	i := sort.Search(len(s.pieces), func(i int) bool { return s.pieces[i].snip+s.pieces[i].snipLen >= off })
	for ; i < len(s.pieces); i++ {
		p := s.pieces[i]
		switch {
		case off == p.snip+p.snipLen && (atEnd || i == len(s.pieces)-1):
			return p.host + p.hostLen, true
		case off == p.snip+p.snipLen:
			continue // the start of the next piece
		case off == p.snip:
			return p.host, true
		case off > p.snip && off < p.snip+p.snipLen && p.verbatim:
			return p.host + off - p.snip, true
		}
		return 0, false
	}
	if off == 0 && len(s.pieces) == 0 {
		return 0, true
	}
	return 0, false
}

// hostRange maps a snippet range [start,end) to the host.
func (s *Snippet) hostRange(start, end int) (int, int, error) {
	hs, ok1 := s.hostOffset(start, false)
	he, ok2 := s.hostOffset(end, true)
	if start == end {
		he, ok2 = hs, ok1
	}
	if !ok1 || !ok2 || he < hs {
		return 0, 0, fmt.Errorf("an edit at bytes %d-%d of the embedded command does not map back to the file", start, end)
	}
	return hs, he, nil
}
