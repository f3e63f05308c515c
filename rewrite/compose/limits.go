package compose

import (
	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
)

// The YAML decoder compose uses refuses a document in which aliases make
// up almost everything it decodes ("document contains excessive
// aliasing"): past 1000 decoded nodes, more than 99% from aliases (less for
// very large documents). A few nested aliases reach that in a few hundred
// bytes, far below maxExpandedNodes. checkAliasRatio replays the decoder's
// count, in its order, on the document as compose-go hands it over
// (!reset values dropped, an alias under "<<" replaced by its target).
func (s *source) checkAliasRatio() error {
	for _, d := range s.Docs {
		c := &aliasCounter{}
		if len(d.Content) == 1 && !c.node(d.Content[0], nil) {
			return finding.Errorf(s.Start(c.at), "YAML aliases make up more than %.0f%% of what this document decodes to (an alias bomb): compose rejects this file", 100*allowedAliasRatio(c.constructs))
		}
	}
	return nil
}

// aliasCounter counts, as the decoder does, the nodes it constructs and
// those constructed through an alias.
type aliasCounter struct {
	constructs, aliased int
	depth               int        // aliases being expanded
	at                  *yaml.Node // the outermost of them
}

// node constructs n, given the keys already set when n is merged into a
// mapping; it returns false once the decoder would give up.
func (c *aliasCounter) node(n *yaml.Node, merged map[string]bool) bool {
	c.constructs++
	if c.depth > 0 {
		c.aliased++
	}
	if c.aliased > 100 && c.constructs > 1000 && float64(c.aliased)/float64(c.constructs) > allowedAliasRatio(c.constructs) {
		return false
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return true
		}
		if c.depth == 0 {
			c.at = n
		}
		c.depth++
		ok := c.node(n.Alias, merged)
		c.depth--
		return ok
	case yaml.SequenceNode:
		for _, item := range n.Content {
			if !dropped(item) && !c.node(item, nil) {
				return false
			}
		}
	case yaml.MappingNode:
		return c.mapping(n, merged)
	}
	return true
}

func (c *aliasCounter) mapping(m *yaml.Node, merged map[string]bool) bool {
	var mergeNode *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		switch {
		case dropped(v):
			continue
		case isMergeKey(k):
			mergeNode = v
			if k.Value == "<<" && v.Kind == yaml.AliasNode && v.Alias != nil {
				mergeNode = v.Alias // compose-go resolves it before decoding
			}
			continue
		}
		if !c.node(k, nil) {
			return false
		}
		if merged != nil {
			if merged[keyText(k)] {
				continue // set by the mapping merging this one
			}
			merged[keyText(k)] = true
		}
		if !c.node(v, nil) {
			return false
		}
	}
	if mergeNode == nil {
		return true
	}
	if merged == nil {
		merged = map[string]bool{}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if dropped(m.Content[i+1]) {
				continue
			}
			if !c.node(m.Content[i], nil) {
				return false
			}
			merged[keyText(m.Content[i])] = true
		}
	}
	if mergeNode.Kind == yaml.SequenceNode {
		for _, item := range mergeNode.Content {
			if !dropped(item) && !c.node(item, merged) {
				return false
			}
		}
		return true
	}
	return c.node(mergeNode, merged)
}

// keyText is what a scalar key decodes to, as far as telling keys apart.
func keyText(k *yaml.Node) string {
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	return k.Value
}

// allowedAliasRatio is the decoder's bound on the share of nodes decoded
// through aliases, which shrinks for very large documents.
func allowedAliasRatio(constructs int) float64 {
	const low, high = 400000, 4000000
	switch {
	case constructs <= low:
		return 0.99
	case constructs >= high:
		return 0.10
	}
	return 0.99 - 0.89*float64(constructs-low)/float64(high-low)
}
