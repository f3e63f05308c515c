package yamledit

import (
	"bytes"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/directive"
	"github.com/rofix/rofix/rewrite/finding"
)

// DocRoot returns a document's top node, or nil for an empty document.
func DocRoot(d *yaml.Node) *yaml.Node {
	if len(d.Content) == 0 {
		return nil
	}
	return d.Content[0]
}

// Lookup returns the key and value nodes of key in mapping m (merge keys
// aside), or nils.
func Lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		c := m.Content[i]
		if c.Kind == yaml.ScalarNode && c.Value == key && c.Tag != "!!merge" {
			return c, m.Content[i+1]
		}
	}
	return nil, nil
}

// KeyColumn returns the column of a block mapping key, its anchor and tag
// included: the column of the mapping's entries ("&a x: 1" is indented by
// where "&a" stands, not "x").
func (s *Source) KeyColumn(k *yaml.Node) int { return s.Column(s.Pos(k.Line, k.Column)) }

// DashColumn returns the column of the "-" before a block sequence item.
func (s *Source) DashColumn(item *yaml.Node) int { return s.dashColumn(item) }

// DashOffset returns the offset of the "-" before a block sequence item.
func (s *Source) DashOffset(item *yaml.Node) int { return s.dashOffset(item) }

// Span returns the byte range of a node's text (an empty range at its start
// for a collection, or when the end cannot be found).
func (s *Source) Span(n *yaml.Node) (int, int) {
	start := s.Start(n)
	if n.Kind != yaml.ScalarNode {
		return start, start
	}
	end, err := s.ScalarEnd(n, s.Column(start), false)
	if err != nil || end < start {
		return start, start
	}
	return start, end
}

// CheckDuplicates rejects duplicate keys anywhere in the documents: an edit
// would land on one copy only, and strict readers refuse them.
func (s *Source) CheckDuplicates() error {
	var err error
	s.visitMappings(func(m *yaml.Node) {
		if err != nil {
			return
		}
		seen := make(map[string]int, len(m.Content)/2)
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := m.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				continue
			}
			if first, dup := seen[k.Value]; dup {
				err = finding.Errorf(s.Start(k), "duplicate key %q (first at line %d)", k.Value, first)
				return
			}
			seen[k.Value] = k.Line
		}
	})
	return err
}

// IgnoreFileDirective finds a "# rofix:ignore-file" comment.
func (s *Source) IgnoreFileDirective() (int, bool) {
	if !bytes.Contains(s.Src, []byte("rofix:ignore-file")) {
		return 0, false
	}
	for _, start := range s.lineStarts {
		end := s.LineEnd(start)
		if ig, ok := directive.FindInLine(string(s.Src[start:end])); ok && ig.File {
			return start, true
		}
	}
	return 0, false
}

// Directive reads the ignore directives of a node: a comment on the line
// above it, or at the end of its line.
func (s *Source) Directive(n *yaml.Node) (directive.Ignore, bool) {
	var ig directive.Ignore
	found := false
	off := s.Start(n)
	line := s.LineOf(off)
	if line > 0 {
		start := s.lineStarts[line-1]
		text := strings.TrimSpace(string(s.Src[start:s.LineEnd(start)]))
		if strings.HasPrefix(text, "#") {
			if d, ok := directive.Parse(text); ok {
				ig, found = ig.Merge(d), true
			}
		}
	}
	if d, ok := directive.FindInLine(string(s.Src[off:s.LineEnd(off)])); ok {
		ig, found = ig.Merge(d), true
	}
	return ig, found
}
