package compose

import (
	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/yamledit"
)

// seqStyleFor picks the style for a new list in mapping m: a sibling block
// sequence's style if m has one, else the file's majority (computed once).
func (c *changes) seqStyleFor(m *yaml.Node) yamledit.SeqStyle {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if st, ok := c.s.SeqStyleOf(m.Content[i], m.Content[i+1]); ok {
			return st
		}
	}
	if c.style == nil {
		st := c.s.MajorityStyle()
		c.style = &st
	}
	return *c.style
}
