package compose

import (
	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
)

// maxExpandedNodes bounds what a document's aliases may expand to. rofix
// itself never expands aliases, but compose does: a file whose aliases
// multiply into millions of nodes (an "alias bomb") is refused, as compose
// would refuse it, rather than hardened.
const maxExpandedNodes = 1 << 20

// checkAliasExpansion counts the nodes each document would have with every
// alias expanded, memoized per node so the count itself stays linear.
func (s *source) checkAliasExpansion() error {
	sizes := map[*yaml.Node]int{}
	inProgress := map[*yaml.Node]bool{}
	var cycle *yaml.Node // an alias inside the node it refers to
	var size func(n *yaml.Node) int
	size = func(n *yaml.Node) int {
		if n == nil {
			return 0
		}
		if v, ok := sizes[n]; ok {
			return v
		}
		sizes[n] = maxExpandedNodes + 1 // a cycle counts as too big
		inProgress[n] = true
		defer delete(inProgress, n)
		total := 1
		if n.Kind == yaml.AliasNode {
			if inProgress[n.Alias] && cycle == nil {
				cycle = n
			}
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
	for _, d := range s.docs {
		if size(d) > maxExpandedNodes && cycle != nil {
			return finding.Errorf(s.start(cycle), "alias *%s refers to the node that holds it (an endless value): compose rejects this file", cycle.Value)
		}
		if size(d) > maxExpandedNodes {
			return finding.Errorf(s.start(d), "YAML aliases expand to more than %d nodes (an alias bomb); refused", maxExpandedNodes)
		}
	}
	return nil
}
