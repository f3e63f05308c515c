package compose

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// changes collects a plan's byte edits together with the same changes
// expressed on the YAML tree. Verification applies the tree changes to the
// original tree and requires the re-parsed output to equal it: the output is
// the original plus exactly the intended changes.
type changes struct {
	s         *source
	edits     []edit.Edit
	mutations []func()
	// Keys and items to add, gathered per collection so that several
	// additions to one collection become one well-formed insertion.
	adds  []*addition
	byCol map[*yaml.Node]*addition
	style *yamledit.SeqStyle
}

// An addition is what gets appended to one mapping (keys) or sequence
// (items).
type addition struct {
	col    *yaml.Node
	indent int // the column owning col (for continuation rules)
	keys   []string
	values []value
}

// A value to insert: a scalar, or a list of scalars.
type value struct {
	scalar string
	tag    string
	list   []string
}

func newChanges(s *source) *changes {
	return &changes{s: s, byCol: map[*yaml.Node]*addition{}}
}

func (c *changes) addition(col *yaml.Node, indent int) *addition {
	a := c.byCol[col]
	if a == nil {
		a = &addition{col: col, indent: indent}
		c.byCol[col] = a
		c.adds = append(c.adds, a)
	}
	return a
}

// addKey appends key: v to mapping m. indent is the column of the key or
// dash owning m.
func (c *changes) addKey(m *yaml.Node, indent int, key string, v value) {
	a := c.addition(m, indent)
	a.keys = append(a.keys, key)
	a.values = append(a.values, v)
	c.mutations = append(c.mutations, func() {
		m.Content = append(m.Content, strNode(key), v.node())
	})
}

// addItem appends a string item to sequence seq.
func (c *changes) addItem(seq *yaml.Node, indent int, item string) {
	a := c.addition(seq, indent)
	a.values = append(a.values, value{scalar: item, tag: "!!str"})
	c.mutations = append(c.mutations, func() { seq.Content = append(seq.Content, strNode(item)) })
}

// replace records a byte edit with the tree change it stands for.
func (c *changes) replace(e edit.Edit, mutate func()) {
	c.edits = append(c.edits, e)
	if mutate != nil {
		c.mutations = append(c.mutations, mutate)
	}
}

// appendToScalar appends suffix to a single-line scalar's value, keeping its
// quoting: before the closing quote of a quoted scalar, after a plain one.
// A plain scalar in a flow collection is quoted when the suffix holds a
// comma. flow and indent describe where the scalar sits.
func (c *changes) appendToScalar(n *yaml.Node, suffix string, indent int, flow bool) error {
	s := c.s
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
		c.replace(edit.Edit{Start: end - 1, End: end - 1, Text: suffix}, mutate)
	case flow && strings.Contains(suffix, ","):
		if strings.ContainsAny(n.Value, `"\`) || string(s.Src[start:end]) != n.Value {
			return fmt.Errorf("it would need quoting")
		}
		c.replace(edit.Edit{Start: start, End: end, Text: `"` + n.Value + suffix + `"`}, mutate)
	default:
		c.replace(edit.Edit{Start: end, End: end, Text: suffix}, mutate)
	}
	return nil
}

// flush turns the gathered additions into edits. Block insertions that
// land on the same line go deepest first: an item added to a service's last
// list, or a key added to its last volume, precedes the keys added to the
// service itself. Depth is the nesting in the tree, not the column: an
// indentless sequence ("key:\n- x") has its dashes at the column of the
// keys of the mapping holding it, yet its items must come first or they
// would land under the mapping's new last key.
func (c *changes) flush() error {
	var blocks []blockInsert
	depth := c.s.Depths()
	for _, a := range c.adds {
		if a.col.Style&yaml.FlowStyle != 0 {
			if err := c.flushFlow(a); err != nil {
				return err
			}
			continue
		}
		b, err := c.flushBlock(a)
		if err != nil {
			return err
		}
		b.depth = depth[a.col]
		blocks = append(blocks, b)
	}
	sort.SliceStable(blocks, func(i, j int) bool {
		if blocks[i].edit.Start != blocks[j].edit.Start {
			return blocks[i].edit.Start < blocks[j].edit.Start
		}
		return blocks[i].depth > blocks[j].depth
	})
	for _, b := range blocks {
		c.edits = append(c.edits, b.edit)
	}
	return nil
}

// A blockInsert is a block edit with the nesting depth of the collection
// it appends to.
type blockInsert struct {
	edit  edit.Edit
	depth int
}

// flushFlow appends to a flow collection: after its last entry, or right
// after the opening bracket when it is empty.
func (c *changes) flushFlow(a *addition) error {
	var parts []string
	for i, v := range a.values {
		text := v.flowText()
		if a.col.Kind == yaml.MappingNode {
			text = a.keys[i] + ": " + text
		}
		parts = append(parts, text)
	}
	e, err := c.s.FlowAppend(a.col, a.indent, parts)
	if err != nil {
		return err
	}
	c.edits = append(c.edits, e)
	return nil
}

// flushBlock appends lines after a block collection's last entry, indented
// like its entries.
func (c *changes) flushBlock(a *addition) (blockInsert, error) {
	s := c.s
	first := a.col.Content[0]
	end, err := s.End(a.col, a.indent, false)
	if err != nil {
		return blockInsert{}, err
	}
	var lines []string
	var entryCol int
	if a.col.Kind == yaml.SequenceNode {
		entryCol = s.DashColumn(first)
		prefix := strings.Repeat(" ", entryCol) + "-" + strings.Repeat(" ", s.DashSpace(first))
		for _, v := range a.values {
			lines = append(lines, prefix+v.scalar)
		}
	} else {
		entryCol = s.KeyColumn(first)
		pad := strings.Repeat(" ", entryCol)
		style := c.seqStyleFor(a.col)
		for i, v := range a.values {
			if v.list == nil {
				lines = append(lines, pad+a.keys[i]+": "+v.scalar)
				continue
			}
			lines = append(lines, pad+a.keys[i]+":")
			for _, item := range v.list {
				lines = append(lines, pad+style.Prefix()+item)
			}
		}
	}
	return blockInsert{edit: c.s.InsertLines(s.AfterEntry(end, entryCol), lines)}, nil
}

func (v value) flowText() string {
	if v.list == nil {
		if v.tag == "!!str" {
			return flowScalar(v.scalar)
		}
		return v.scalar
	}
	items := make([]string, len(v.list))
	for i, item := range v.list {
		items[i] = flowScalar(item)
	}
	return "[" + strings.Join(items, ", ") + "]"
}

// flowScalar writes a string rofix adds (a path with options, checked by
// policy.SafeTmpfsEntry) for a flow collection: double-quoted when it holds
// a comma, which would end a plain scalar there.
func flowScalar(s string) string {
	if strings.ContainsAny(s, ",[]{}") {
		return `"` + s + `"`
	}
	return s
}

func (v value) node() *yaml.Node {
	if v.list == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: v.tag, Value: v.scalar}
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, item := range v.list {
		seq.Content = append(seq.Content, strNode(item))
	}
	return seq
}

func strNode(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
