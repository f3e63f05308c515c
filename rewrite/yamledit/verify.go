package yamledit

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Verify re-parses out and checks it equals the original documents with the
// planned tree changes applied. Positions, styles and comments are not
// compared: the byte edits alone decide those, and the golden tests check
// them.
func (c *Changes) Verify(out []byte) error {
	after, err := Parse(out)
	if err != nil {
		return fmt.Errorf("the edited file does not parse: %w", err)
	}
	return c.VerifyDocs(after.Docs)
}

// VerifyDocs is Verify for an output already parsed (by an engine reading
// YAML its own way).
func (c *Changes) VerifyDocs(after []*yaml.Node) error {
	return SameDocs(c.Intended(), after)
}

// Intended applies the planned tree changes to the original documents,
// once, and returns them: what the edited text must parse to.
func (c *Changes) Intended() []*yaml.Node {
	for _, m := range c.mutations {
		m()
	}
	c.mutations = nil
	return c.s.Docs
}

// SameNode reports whether the re-parsed node after equals the intended
// node want, as SameDocs compares documents.
func SameNode(want, after *yaml.Node) bool {
	_, ok := equalNodes(want, after)
	return ok
}

// SameDocs checks that the re-parsed documents after equal the intended
// documents want (see equalNodes), naming the first difference.
func SameDocs(want, after []*yaml.Node) error {
	if len(after) != len(want) {
		return fmt.Errorf("the edited file has %d documents, want %d", len(after), len(want))
	}
	for i, d := range want {
		if path, ok := equalNodes(d, after[i]); !ok {
			return fmt.Errorf("the edited file differs from the intended change at %s", path)
		}
	}
	return nil
}

// equalNodes compares two trees by kind, resolved tag, value, anchor and
// children, returning the path of the first difference (built only then:
// the trees are usually equal).
func equalNodes(a, b *yaml.Node) (string, bool) {
	if a.Kind != b.Kind || a.ShortTag() != b.ShortTag() || a.Anchor != b.Anchor || len(a.Content) != len(b.Content) {
		return fmt.Sprintf(" (kind %v/%v, tag %s/%s, %d/%d children)", a.Kind, b.Kind, a.ShortTag(), b.ShortTag(), len(a.Content), len(b.Content)), false
	}
	switch a.Kind {
	case yaml.ScalarNode, yaml.AliasNode:
		if a.Value != b.Value {
			return fmt.Sprintf(" (%q, want %q)", b.Value, a.Value), false
		}
	}
	for i := range a.Content {
		if p, ok := equalNodes(a.Content[i], b.Content[i]); !ok {
			if a.Kind == yaml.MappingNode && i%2 == 1 {
				p = "." + a.Content[i-1].Value + p
			} else if a.Kind == yaml.SequenceNode {
				p = fmt.Sprintf("[%d]", i) + p
			}
			return p, false
		}
	}
	return "", true
}
