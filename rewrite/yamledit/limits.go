package yamledit

import (
	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
)

// MaxExpandedNodes bounds what a document's aliases may expand to. rofix
// itself never expands aliases, but the tools that read the file do: a file
// whose aliases multiply into millions of nodes (an "alias bomb") is
// refused, as those tools would refuse it, rather than hardened.
const MaxExpandedNodes = 1 << 20

// AliasExpansion counts the nodes each document would have with every alias
// expanded, memoized per node so the count itself stays linear. For the
// first document past MaxExpandedNodes it returns the node to blame: an
// alias inside the node it refers to (cycle true, an endless value), else
// the document. It returns nil when every document stays within the bound.
func (s *Source) AliasExpansion() (at *yaml.Node, cycle bool) {
	// Only a node an alias may lead to (an anchored one, an alias's
	// target) is reached more than once: only those are remembered.
	sizes := map[*yaml.Node]int{}
	inProgress := map[*yaml.Node]bool{}
	var loop *yaml.Node // an alias inside the node it refers to
	var size func(n *yaml.Node, shared bool) int
	size = func(n *yaml.Node, shared bool) int {
		if n == nil {
			return 0
		}
		shared = shared || n.Anchor != ""
		if shared {
			if v, ok := sizes[n]; ok {
				return v
			}
			sizes[n] = MaxExpandedNodes + 1 // a cycle counts as too big
			inProgress[n] = true
			defer delete(inProgress, n)
		}
		total := 1
		if n.Kind == yaml.AliasNode {
			if inProgress[n.Alias] && loop == nil {
				loop = n
			}
			total = size(n.Alias, true)
		}
		for _, c := range n.Content {
			total += size(c, false)
			if total > MaxExpandedNodes {
				break
			}
		}
		total = min(total, MaxExpandedNodes+1)
		if shared {
			sizes[n] = total
		}
		return total
	}
	for _, d := range s.Docs {
		if size(d, false) > MaxExpandedNodes {
			if loop != nil {
				return loop, true
			}
			return d, false
		}
	}
	return nil, false
}

// CheckAliasExpansion refuses a file whose aliases expand past
// MaxExpandedNodes (see AliasExpansion), naming the alias of a cycle;
// cycleVerdict ends that message ("; refused", or what the file's own
// tool does with it).
func (s *Source) CheckAliasExpansion(cycleVerdict string) error {
	at, cycle := s.AliasExpansion()
	switch {
	case at == nil:
		return nil
	case cycle:
		return finding.Errorf(s.Start(at), "alias *%s refers to the node that holds it (an endless value)%s", at.Value, cycleVerdict)
	}
	return finding.Errorf(s.Start(at), "YAML aliases expand to more than %d nodes (an alias bomb); refused", MaxExpandedNodes)
}
