package compose

import (
	"bytes"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// This file verifies a large file's output by re-parsing only the
// services the edits touched (issue 18): in a file of thousands of
// services of which a few change, the rest is compared byte for byte.
//
// The output is cut where the original is: before the line of each key
// of the block services mapping (one "chunk" per service, the last one
// ending at the next top-level key). An edited chunk is parsed after the
// unchanged text before the first service (the top-level keys, anchors
// among them, and "services:"), and must hold exactly one service equal
// to the intended one. That proves the whole output only when the chunk
// cannot change how the text around it parses, so it must begin with its
// key line's indentation and first byte unchanged (the same column, the
// same mapping), end with a line break, and start every line with a
// space, "#" or nothing (no line at column 0: no top-level key, document
// marker or directive). Anchors are compared with the nodes, so the
// aliases of the unchanged text resolve as before. Tree changes and byte
// edits are made together by yamledit.Changes, on the node each edit
// lands in, so an unchanged chunk has no tree change.
//
// Whatever does not fit (several documents, a flow services mapping, an
// edit outside the services, a chunk that does not parse alone: an alias
// of an anchor of another service) is verified by re-parsing the whole
// output, as is any chunk that does not match: the whole re-parse names
// the difference. partsWorth bounds the bytes parsed this way.

// partsWorth is the share of the output (1/partsWorth) the chunks may add
// up to, prefixes included; beyond it the whole output is re-parsed.
const partsWorth = 2

// verifyParts reports whether out, the original s with edits applied, is
// proven to parse to the intended documents by re-parsing only the edited
// services; false means "not proven", never "wrong". intended returns the
// documents (yamledit.Changes.Intended).
func verifyParts(s *source, intended func() []*yaml.Node, edits []edit.Edit, out []byte) bool {
	if len(s.Docs) != 1 || len(edits) == 0 {
		return false
	}
	root := yamledit.DocRoot(s.Docs[0])
	if root == nil || root.Kind != yaml.MappingNode || root.Style&yaml.FlowStyle != 0 {
		return false
	}
	at := -1 // the index of the services key in root
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "services" && !isMergeKey(k) {
			at = i
			break
		}
	}
	if at < 0 {
		return false
	}
	services := root.Content[at+1]
	if services.Kind != yaml.MappingNode || services.Style&yaml.FlowStyle != 0 || len(services.Content) < 4 {
		return false
	}
	// The chunks' boundaries: each key's line start, then the end.
	n := len(services.Content) / 2
	bounds := make([]int, 0, n+1)
	indent := -1
	for i := 0; i < len(services.Content); i += 2 {
		k := services.Content[i]
		if k.Kind != yaml.ScalarNode || isMergeKey(k) {
			return false
		}
		start := s.LineStart(k.Line)
		col := s.Pos(k.Line, k.Column) - start
		if indent < 0 {
			indent = col
		}
		if col != indent || col == 0 || len(bytes.Trim(s.Src[start:start+col], " ")) > 0 || len(bounds) > 0 && start <= bounds[len(bounds)-1] {
			return false
		}
		bounds = append(bounds, start)
	}
	end := len(s.Src)
	if at+2 < len(root.Content) {
		next := root.Content[at+2]
		end = s.LineStart(next.Line)
		if s.Pos(next.Line, next.Column) != end {
			return false
		}
	}
	bounds = append(bounds, end)

	// Where each boundary lands in out, and which chunks the edits touch:
	// an insertion at a boundary belongs to the chunk before it.
	sorted := edit.Sorted(edits)
	outAt := make([]int, len(bounds))
	edited := make([]bool, n)
	delta, e := 0, 0
	for b, pos := range bounds {
		for ; e < len(sorted) && (sorted[e].Start < pos || sorted[e].Start == pos && sorted[e].End == pos); e++ {
			ed := sorted[e]
			c := b - 1 // the chunk [bounds[b-1], pos) holds it
			if c < 0 || ed.Start < bounds[c] || ed.End > pos {
				return false // before the first service, or across a boundary
			}
			edited[c] = true
			delta += len(ed.Text) - (ed.End - ed.Start)
		}
		outAt[b] = pos + delta
	}
	if e < len(sorted) || len(out) != len(s.Src)+delta {
		return false // edits after the services
	}
	prefix := s.Src[:bounds[0]]
	parsed := 0
	for c := range n {
		if edited[c] {
			parsed += len(prefix) + outAt[c+1] - outAt[c]
		}
	}
	if parsed > len(out)/partsWorth {
		return false
	}
	// The unchanged text is unchanged.
	if !bytes.Equal(out[:outAt[0]], prefix) || !bytes.Equal(out[outAt[n]:], s.Src[end:]) {
		return false
	}
	for c := range n {
		if !edited[c] && !bytes.Equal(out[outAt[c]:outAt[c+1]], s.Src[bounds[c]:bounds[c+1]]) {
			return false
		}
	}
	docs := intended()
	top := yamledit.DocRoot(docs[0])
	if len(docs) != 1 || top == nil || len(top.Content) != len(root.Content) {
		return false
	}
	want := top.Content[at+1]
	if want.Kind != yaml.MappingNode || len(want.Content) != 2*n {
		return false
	}
	for c := range n {
		if !edited[c] {
			continue
		}
		chunk := out[outAt[c]:outAt[c+1]]
		if !chunkStandsAlone(chunk, s.Src[bounds[c]:bounds[c]+indent+1], outAt[c+1] == len(out)) {
			return false
		}
		text := make([]byte, 0, len(prefix)+len(chunk))
		text = append(append(text, prefix...), chunk...)
		got, err := parse(text)
		if err != nil || len(got.Docs) != 1 {
			return false
		}
		r := yamledit.DocRoot(got.Docs[0])
		if r == nil || r.Kind != yaml.MappingNode || len(r.Content) != at+2 || r.Content[at].Value != "services" {
			return false
		}
		svc := r.Content[at+1]
		if svc.Kind != yaml.MappingNode || len(svc.Content) != 2 ||
			!yamledit.SameNode(want.Content[2*c], svc.Content[0]) || !yamledit.SameNode(want.Content[2*c+1], svc.Content[1]) {
			return false
		}
	}
	return true
}

// chunkStandsAlone reports whether an edited chunk parses the same alone
// as in its file (see the top of this file): it begins with head (its
// key line's indentation and first byte), ends with a line break unless
// it ends the file, and has no line at column 0 but comments and blank
// lines. Line breaks other than \n and \r\n are not read here.
func chunkStandsAlone(chunk, head []byte, last bool) bool {
	if !bytes.HasPrefix(chunk, head) || !last && !bytes.HasSuffix(chunk, []byte("\n")) {
		return false
	}
	if bytes.Contains(chunk, []byte("\xC2\x85")) || bytes.Contains(chunk, []byte("\xE2\x80\xA8")) || bytes.Contains(chunk, []byte("\xE2\x80\xA9")) {
		return false
	}
	for i := 0; i < len(chunk); i++ {
		switch chunk[i] {
		case '\r':
			if i+1 >= len(chunk) || chunk[i+1] != '\n' {
				return false
			}
		case '\n':
			if i+1 < len(chunk) {
				switch chunk[i+1] {
				case ' ', '#', '\n', '\r':
				default:
					return false
				}
			}
		}
	}
	return true
}
