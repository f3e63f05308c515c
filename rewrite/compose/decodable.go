package compose

import (
	"bytes"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
)

// yaml.v3 parses into nodes far more than it decodes into values, and
// compose decodes (compose-go: yaml.Node, then Decode into any, then every
// mapping key must be a string). A file the parser accepts but the decoder
// rejects is one compose refuses: rofix refuses it too, naming the node,
// rather than harden a file that cannot run.
//
// The walk follows compose-go's loader: a value tagged !reset (or an alias
// of one) is dropped before decoding, so nothing under it is checked; an
// alias used as the value of a merge key stands for its target.

// checkDecodable walks every document as compose-go decodes it.
func (s *source) checkDecodable() error {
	w := &decodeWalk{s: s, seen: map[*yaml.Node]bool{}}
	for _, d := range s.Docs {
		if err := w.node(d); err != nil {
			return err
		}
	}
	return nil
}

type decodeWalk struct {
	s    *source
	seen map[*yaml.Node]bool
	// target is the node an alias just led to.
	target *yaml.Node
}

// node checks n and what it holds, once per node however many aliases
// lead to it.
func (w *decodeWalk) node(n *yaml.Node) error {
	if n == nil {
		return nil
	}
	// Only a node an alias may lead to (an anchored one, an alias's
	// target) is reached more than once: only those are remembered.
	if n.Anchor != "" || w.target == n {
		if w.seen[n] {
			return nil
		}
		w.seen[n] = true
	}
	if err := w.tag(n); err != nil {
		return err
	}
	switch n.Kind {
	case yaml.AliasNode:
		if dropped(n.Alias) {
			return nil
		}
		w.target = n.Alias
		return w.node(n.Alias)
	case yaml.ScalarNode:
		return w.scalar(n)
	case yaml.MappingNode:
		return w.mapping(n)
	}
	for _, c := range n.Content {
		if err := w.value(c); err != nil {
			return err
		}
	}
	return nil
}

// value checks a collection's entry unless compose drops it.
func (w *decodeWalk) value(n *yaml.Node) error {
	if dropped(n) {
		return nil
	}
	return w.node(n)
}

// dropped reports a value compose-go removes before decoding: one tagged
// !reset, or an alias of one.
func dropped(n *yaml.Node) bool {
	if n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n != nil && n.Tag == "!reset"
}

func (w *decodeWalk) mapping(m *yaml.Node) error {
	if err := w.checkDuplicates(m); err != nil {
		return err
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if dropped(v) {
			continue // compose-go drops the key with its value
		}
		if err := w.key(k); err != nil {
			return err
		}
		if err := w.node(k); err != nil {
			return err
		}
		if isMergeKey(k) {
			if err := w.merge(v); err != nil {
				return err
			}
		}
		if err := w.node(v); err != nil {
			return err
		}
	}
	return nil
}

// checkDuplicates refuses a mapping with two equal keys. compose-go
// compares the keys' text whatever their kind (an alias *a equals a key
// a); the decoder does too, for keys of one kind.
func (w *decodeWalk) checkDuplicates(m *yaml.Node) error {
	seen := make(map[string]int, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind != yaml.ScalarNode && k.Kind != yaml.AliasNode {
			continue // a complex key is refused by key
		}
		if first, dup := seen[k.Value]; dup {
			return finding.Errorf(w.s.Start(k), "duplicate key %q (first at line %d): compose rejects this file", k.Value, first)
		}
		seen[k.Value] = k.Line
	}
	return nil
}

// key refuses a mapping key that does not decode to a string: compose-go
// requires string keys everywhere ("non-string key"), and the decoder
// cannot use a mapping or a sequence as a key at all.
func (w *decodeWalk) key(k *yaml.Node) error {
	target := k
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		target = k.Alias
	}
	switch target.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		return finding.Errorf(w.s.Start(k), "a %s used as a mapping key: compose rejects this file", kindName(target))
	case yaml.ScalarNode:
		if isMergeKey(k) {
			return nil
		}
		names := map[string]string{"!!int": "an integer", "!!float": "a number", "!!bool": "a boolean", "!!null": "null", "!!timestamp": "a timestamp"}
		if name, ok := names[target.ShortTag()]; ok {
			return finding.Errorf(w.s.Start(k), "mapping key %q is %s, not a string: compose rejects this file (quote it)", target.Value, name)
		}
	}
	return nil
}

// merge refuses what the decoder cannot merge: the value of "<<" must be a
// mapping, an alias of one, or a sequence of those (compose-go also takes
// an alias of such a sequence).
func (w *decodeWalk) merge(v *yaml.Node) error {
	target := v
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		target = v.Alias
	}
	switch target.Kind {
	case yaml.MappingNode:
		return nil
	case yaml.SequenceNode:
		for _, item := range target.Content {
			if dropped(item) {
				continue
			}
			it := item
			if it.Kind == yaml.AliasNode && it.Alias != nil {
				it = it.Alias
			}
			if it.Kind != yaml.MappingNode {
				at := item // an item of the list, or the alias of the list
				if v.Kind == yaml.AliasNode {
					at = v
				}
				return finding.Errorf(w.s.Start(at), "the << merge key takes mappings, and this list holds a %s: compose rejects this file", kindName(it))
			}
		}
		return nil
	}
	what := kindName(target)
	if target.Kind == yaml.ScalarNode && target.ShortTag() == "!!null" {
		what = "null"
	}
	return finding.Errorf(w.s.Start(v), "the << merge key takes a mapping or a list of mappings, and this is a %s: compose rejects this file", what)
}

// scalar refuses a scalar whose explicit tag its text does not fit
// ("!!int abc", "!!bool yes", bad "!!binary"): the decoder rejects it. The
// decoder itself judges, on this one node.
func (w *decodeWalk) scalar(n *yaml.Node) error {
	if !w.s.hasTag(n) {
		return nil // an implicit tag always fits
	}
	switch n.ShortTag() {
	case "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!binary":
	default:
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return finding.Errorf(w.s.Start(n), "%q does not fit its tag %s: compose rejects this file", n.Value, n.ShortTag())
	}
	return nil
}

// tag refuses a tag holding ",", "[" or "]": yaml.v3 reads them as part
// of the tag, compose's YAML library does not (it stops there, and fails
// or reads another structure).
func (w *decodeWalk) tag(n *yaml.Node) error {
	s := w.s
	from, to := s.Pos(n.Line, n.Column), s.Start(n)
	for i := from; i < to && i < len(s.Src); i++ {
		if s.Src[i] != '!' || i > from && !isSpace(s.Src[i-1]) && !isBreak(s.Src[i-1]) {
			continue
		}
		j := i
		for j < len(s.Src) && !isSpace(s.Src[j]) && !isBreak(s.Src[j]) {
			j++
		}
		tag := s.Src[i:j]
		if !bytes.HasPrefix(tag, []byte("!<")) && bytes.ContainsAny(tag, ",[]") {
			return finding.Errorf(i, "tag %s holds a character compose's YAML library does not take in a tag: compose rejects this file", tag)
		}
		i = j
	}
	return nil
}

// hasTag reports whether a node is written with an explicit tag: yaml.v3
// places a node with properties (tag, anchor) at the first of them.
func (s *source) hasTag(n *yaml.Node) bool {
	from, to := s.Pos(n.Line, n.Column), s.Start(n)
	for i := from; i < to && i < len(s.Src); i++ {
		if s.Src[i] == '!' {
			return true
		}
	}
	return false
}
