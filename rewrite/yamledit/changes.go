package yamledit

import (
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/edit"
)

// Changes collects a plan's byte edits together with the same changes
// expressed on the YAML tree. Verify applies the tree changes to the
// original tree and requires the re-parsed output to equal it: the output
// is the original plus exactly the intended changes.
type Changes struct {
	s         *Source
	edits     []edit.Edit
	mutations []func()
	// Keys and items to add, gathered per collection so that several
	// additions to one collection become one well-formed insertion.
	adds  []*addition
	byCol map[*yaml.Node]*addition
	style *SeqStyle
	step  int
}

// An addition is what gets appended to one mapping (keys) or sequence
// (items).
type addition struct {
	col    *yaml.Node
	indent int // the column owning col (for continuation rules)
	keys   []string
	values []Value
}

// NewChanges starts an empty set of changes to s.
func NewChanges(s *Source) *Changes {
	return &Changes{s: s, byCol: map[*yaml.Node]*addition{}}
}

func (c *Changes) addition(col *yaml.Node, indent int) *addition {
	a := c.byCol[col]
	if a == nil {
		a = &addition{col: col, indent: indent}
		c.byCol[col] = a
		c.adds = append(c.adds, a)
	}
	return a
}

// AddKey appends key: v to mapping m, which must be non-empty or flow.
// indent is the column of the key or dash owning m.
func (c *Changes) AddKey(m *yaml.Node, indent int, key string, v Value) {
	a := c.addition(m, indent)
	a.keys = append(a.keys, key)
	a.values = append(a.values, v)
	c.mutations = append(c.mutations, func() {
		m.Content = append(m.Content, Str(key).Node(), v.Node())
	})
}

// AddItem appends an item to sequence seq, which must be non-empty or
// flow. indent is the column of the key owning seq.
func (c *Changes) AddItem(seq *yaml.Node, indent int, v Value) {
	a := c.addition(seq, indent)
	a.values = append(a.values, v)
	c.mutations = append(c.mutations, func() { seq.Content = append(seq.Content, v.Node()) })
}

// Replace records a byte edit with the tree change it stands for.
func (c *Changes) Replace(e edit.Edit, mutate func()) {
	c.edits = append(c.edits, e)
	if mutate != nil {
		c.mutations = append(c.mutations, mutate)
	}
}

// Edits returns the byte edits, after Flush.
func (c *Changes) Edits() []edit.Edit { return c.edits }

// Flush turns the gathered additions into edits. Block insertions that
// land on the same line go deepest first: an item added to a container's
// last list, or a key added to its last mapping, precedes the keys added to
// the container itself. Depth is the nesting in the tree, not the column:
// an indentless sequence ("key:\n- x") has its dashes at the column of the
// keys of the mapping holding it, yet its items must come first or they
// would land under the mapping's new last key.
func (c *Changes) Flush() error {
	var blocks []blockInsert
	for _, a := range c.adds {
		if a.col.Style&yaml.FlowStyle != 0 || len(a.col.Content) == 0 {
			if err := c.flushFlow(a); err != nil {
				return err
			}
			continue
		}
		b, err := c.flushBlock(a)
		if err != nil {
			return err
		}
		b.col = a.col
		blocks = append(blocks, b)
	}
	// Depth orders only insertions at one offset: it is looked up for
	// those alone (a walk of the whole tree).
	at := make(map[int]int, len(blocks))
	for _, b := range blocks {
		at[b.edit.Start]++
	}
	depth := map[*yaml.Node]int{}
	for _, b := range blocks {
		if at[b.edit.Start] > 1 {
			depth[b.col] = 0
		}
	}
	if len(depth) > 0 {
		c.s.depths(depth)
		for i := range blocks {
			blocks[i].depth = depth[blocks[i].col]
		}
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
	if n := len(blocks); n > 0 && blocks[n-1].edit.Start == len(c.s.Src) {
		if e, ok := c.s.StripFinalScalar(); ok {
			c.edits = append(c.edits, e)
		}
	}
	c.adds, c.byCol = nil, map[*yaml.Node]*addition{}
	return nil
}

// A blockInsert is a block edit with the nesting depth of the collection
// it appends to.
type blockInsert struct {
	edit  edit.Edit
	col   *yaml.Node
	depth int
}

// flushFlow appends to a flow collection: after its last entry, or right
// after the opening bracket when it is empty.
func (c *Changes) flushFlow(a *addition) error {
	var parts []string
	for i, v := range a.values {
		text := v.FlowText()
		if a.col.Kind == yaml.MappingNode {
			text = Str(a.keys[i]).text() + ": " + text
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
func (c *Changes) flushBlock(a *addition) (blockInsert, error) {
	s := c.s
	first := a.col.Content[0]
	end, err := s.End(a.col, a.indent, false)
	if err != nil {
		return blockInsert{}, err
	}
	var lines []string
	var entryCol int
	if a.col.Kind == yaml.SequenceNode {
		entryCol = s.dashColumn(first)
		st := c.SeqStyleFor(nil)
		for _, v := range a.values {
			lines = append(lines, c.itemLines(entryCol, s.DashSpace(first), v, st)...)
		}
	} else {
		entryCol = s.KeyColumn(first)
		st := c.SeqStyleFor(a.col)
		for i, v := range a.values {
			lines = append(lines, c.keyLines(entryCol, a.keys[i], v, st)...)
		}
	}
	return blockInsert{edit: c.s.InsertLines(s.AfterEntry(end, entryCol), lines)}, nil
}
