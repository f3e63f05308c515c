package compose

import (
	"errors"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// appendList adds items to a service's own list-valued key (tmpfs,
// security_opt). A string value becomes a list holding it and the items; a
// list shared through an anchor is left alone and reported; "!reset"
// becomes "!override" so the items are not discarded.
func (p *planner) appendList(svc *service, k, v *yaml.Node, items []string, rule finding.Rule) bool {
	switch {
	case v.Kind == yaml.AliasNode:
		p.report(finding.Unsupported, v, false, "%s is an alias (*%s) shared with other places; add %s where the anchor is defined", k.Value, v.Value, strings.Join(items, ", "))
		return false
	case p.aliased[v] > 0:
		p.report(finding.Unsupported, v, false, "%s is anchored (&%s) and used elsewhere; rofix does not edit shared values: add %s there by hand", k.Value, v.Anchor, strings.Join(items, ", "))
		return false
	case v.Kind == yaml.MappingNode:
		p.report(finding.Unsupported, v, false, "%s is a mapping; rofix cannot add to it", k.Value)
		return false
	}
	if v.Tag == "!reset" && v.Kind == yaml.SequenceNode && !p.resetToOverride(v) {
		p.report(finding.Unsupported, v, false, "cannot read the !reset tag of %s", k.Value)
		return false
	}
	keyCol := p.s.KeyColumn(k)
	if v.Kind == yaml.SequenceNode {
		for _, item := range items {
			p.ch.AddItem(v, keyCol, yamledit.Raw(item))
		}
		return true
	}
	if err := p.scalarToList(svc.m, k, v, keyCol, items); err != nil {
		p.report(finding.Unsupported, v, false, "cannot turn %s into a list: %v", k.Value, err)
		return false
	}
	return true
}

// resetToOverride rewrites a value's "!reset" tag to "!override": compose
// ignores items under !reset.
func (p *planner) resetToOverride(v *yaml.Node) bool {
	s := p.s
	from, to := s.Pos(v.Line, v.Column), s.Start(v)
	i := strings.Index(string(s.Src[from:to]), "!reset")
	if i < 0 {
		return false
	}
	at := from + i
	p.ch.Replace(edit.Edit{Start: at, End: at + len("!reset"), Text: "!override"}, func() { v.Tag = "!override" })
	return true
}

// scalarToList replaces a string (or empty) value of key k in mapping m with
// a list of the string and items, in the file's style: a block list in a
// block mapping, a flow list in a flow mapping.
func (p *planner) scalarToList(m, k, v *yaml.Node, keyCol int, items []string) error {
	s := p.s
	start := s.Start(v)
	end, err := s.ScalarEnd(v, keyCol, m.Style&yaml.FlowStyle != 0)
	if err != nil {
		return err
	}
	if v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || s.LineOf(start) != s.LineOf(end) {
		return errMultiline
	}
	// "key: !reset" clears what an earlier file set; the list that replaces
	// it must say !override, or compose would ignore its items.
	reset := v.Tag == "!reset"
	if reset && v.Value != "" {
		return errors.New("it is !reset with a value, which compose discards; write the list you mean")
	}
	tag := ""
	var texts []string
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if reset {
		tag, seq.Tag = "!override", "!override"
	}
	if v.Tag != "!!null" && !reset {
		// The value becomes the first item with its anchor and tag.
		props := s.Pos(v.Line, v.Column)
		if s.LineOf(props) != s.LineOf(end) {
			return errMultiline
		}
		texts = append(texts, string(s.Src[props:end]))
		seq.Content = append(seq.Content, v)
	}
	for _, item := range items {
		if m.Style&yaml.FlowStyle != 0 {
			item = yamledit.Raw(item).FlowText()
		}
		texts = append(texts, item)
	}
	for _, item := range items {
		seq.Content = append(seq.Content, yamledit.Str(item).Node())
	}
	mutate := func() {
		for i := 1; i < len(m.Content); i += 2 {
			if m.Content[i] == v {
				m.Content[i] = seq
			}
		}
	}
	if m.Style&yaml.FlowStyle != 0 {
		text := "[" + strings.Join(texts, ", ") + "]"
		if reset {
			start, text = s.Pos(v.Line, v.Column), tag+" "+text
		}
		if start == end {
			text = " " + text
		}
		p.ch.Replace(edit.Edit{Start: start, End: end, Text: text}, mutate)
		return nil
	}
	// Block: drop the value from the key's line (its comment stays there)
	// and put the items on their own lines.
	colon := start
	for colon > 0 && s.Src[colon-1] != ':' {
		colon--
	}
	if tag != "" {
		tag = " " + tag
	}
	p.ch.Replace(edit.Edit{Start: colon, End: end, Text: tag}, mutate)
	style := p.ch.SeqStyleFor(m)
	var lines []string
	for _, t := range texts {
		lines = append(lines, strings.Repeat(" ", keyCol)+style.Prefix()+t)
	}
	p.ch.Replace(s.InsertLines(s.NextLine(end), lines), nil)
	return nil
}
