package compose

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// seqStyle is how a file writes a block sequence under a key: the dash's
// offset from the key's column (0 for indentless "key:\n- x") and the
// spaces after the dash.
type seqStyle struct {
	indent    int
	dashSpace int
}

func (st seqStyle) prefix() string {
	return strings.Repeat(" ", st.indent) + "-" + strings.Repeat(" ", st.dashSpace)
}

// seqStyleFor picks the style for a new list in mapping m: a sibling block
// sequence's style if m has one, else the file's majority.
func (c *changes) seqStyleFor(m *yaml.Node) seqStyle {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if st, ok := c.s.seqStyleOf(m.Content[i], m.Content[i+1]); ok {
			return st
		}
	}
	if c.style == nil {
		st := c.s.majorityStyle()
		c.style = &st
	}
	return *c.style
}

// seqStyleOf measures the style of a key's block sequence value.
func (s *source) seqStyleOf(key, val *yaml.Node) (seqStyle, bool) {
	if val.Kind != yaml.SequenceNode || val.Style&yaml.FlowStyle != 0 || len(val.Content) == 0 || val.Line <= key.Line {
		return seqStyle{}, false
	}
	first := val.Content[0]
	dash := s.DashColumn(first)
	keyCol := s.Column(s.Start(key))
	if dash < keyCol {
		return seqStyle{}, false
	}
	return seqStyle{indent: dash - keyCol, dashSpace: s.dashSpace(first)}, true
}

// majorityStyle votes over every key's block sequence in the file; ties and
// files without any go to the common "  - ".
func (s *source) majorityStyle() seqStyle {
	votes := map[seqStyle]int{}
	var visit func(n *yaml.Node)
	visit = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if st, ok := s.seqStyleOf(n.Content[i], n.Content[i+1]); ok {
					votes[st]++
				}
			}
		}
		for _, child := range n.Content {
			visit(child)
		}
	}
	for _, d := range s.Docs {
		visit(d)
	}
	best := seqStyle{indent: 2, dashSpace: 1}
	for st, n := range votes {
		switch {
		case n > votes[best]:
			best = st
		case n < votes[best] || best == (seqStyle{indent: 2, dashSpace: 1}):
		case st.indent < best.indent || st.indent == best.indent && st.dashSpace < best.dashSpace:
			best = st // a deterministic tie-break
		}
	}
	return best
}

// dashSpace returns the spaces between a block sequence item's dash and
// its content: 1 when the content starts on the next line.
func (s *source) dashSpace(item *yaml.Node) int {
	dash := s.DashOffset(item)
	itemOff := s.Pos(item.Line, item.Column)
	if s.LineOf(dash) != s.LineOf(itemOff) {
		return 1
	}
	return max(1, itemOff-dash-1)
}
