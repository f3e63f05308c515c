package compose

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/edit"
)

// appendToScalar appends suffix to a single-line scalar's value, keeping its
// quoting: before the closing quote of a quoted scalar, after a plain one.
// A plain scalar in a flow collection is quoted when the suffix holds a
// comma. flow and indent describe where the scalar sits.
func (p *planner) appendToScalar(n *yaml.Node, suffix string, indent int, flow bool) error {
	s := p.s
	start := s.Start(n)
	end, err := s.ScalarEnd(n, indent, flow)
	if err != nil {
		return err
	}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || s.LineOf(start) != s.LineOf(end) {
		return fmt.Errorf("it is a multi-line scalar")
	}
	mutate := func() { n.Value += suffix }
	switch {
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		p.ch.Replace(edit.Edit{Start: end - 1, End: end - 1, Text: suffix}, mutate)
	case flow && strings.Contains(suffix, ","):
		if strings.ContainsAny(n.Value, `"\`) || string(s.Src[start:end]) != n.Value {
			return fmt.Errorf("it would need quoting")
		}
		p.ch.Replace(edit.Edit{Start: start, End: end, Text: `"` + n.Value + suffix + `"`}, mutate)
	default:
		p.ch.Replace(edit.Edit{Start: end, End: end, Text: suffix}, mutate)
	}
	return nil
}
