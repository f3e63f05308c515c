package yamledit

import (
	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
)

// maxExpandedNodes bounds what a document's aliases may expand to. rofix
// itself never expands aliases, but compose does: a file whose aliases
// multiply into millions of nodes (an "alias bomb") is refused, as compose
// would refuse it, rather than hardened.
const maxExpandedNodes = 1 << 20

// CheckAliasExpansion counts the nodes each document would have with every
// alias expanded, memoized per node so the count itself stays linear.
func (s *Source) CheckAliasExpansion() error {
	sizes := map[*yaml.Node]int{}
	var size func(n *yaml.Node) int
	size = func(n *yaml.Node) int {
		if n == nil {
			return 0
		}
		if v, ok := sizes[n]; ok {
			return v
		}
		sizes[n] = maxExpandedNodes + 1 // a cycle counts as too big
		total := 1
		if n.Kind == yaml.AliasNode {
			total = size(n.Alias)
		}
		for _, c := range n.Content {
			total += size(c)
			if total > maxExpandedNodes {
				break
			}
		}
		total = min(total, maxExpandedNodes+1)
		sizes[n] = total
		return total
	}
	for _, d := range s.Docs {
		if size(d) > maxExpandedNodes {
			return finding.Errorf(s.Start(d), "YAML aliases expand to more than %d nodes (an alias bomb); refused", maxExpandedNodes)
		}
	}
	return nil
}
