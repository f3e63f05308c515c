package compose

import (
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// Compose loads each file an include: names as a project of its own: its
// services are judged alone, where the file is processed. A directory walk
// finds compose files by name, so an included file with another name would
// never be hardened: includes reports it.

// includes reports the files the include: of document top names that
// hold services and that a walk does not pick up by name.
func (p *planner) includes(top *yaml.Node) {
	if p.pol.ReadFile == nil || p.depth >= maxSetDepth {
		return
	}
	_, inc := lookup(top, "include")
	if inc == nil || inc.Kind != yaml.SequenceNode {
		return
	}
	for _, item := range inc.Content {
		var paths []*yaml.Node
		switch item.Kind {
		case yaml.ScalarNode:
			paths = []*yaml.Node{item}
		case yaml.MappingNode:
			if _, v := lookup(item, "path"); v != nil {
				paths = itemNodes(v)
			}
		}
		for _, n := range paths {
			name := n.Value
			if name == "" || strings.Contains(name, "$") || IsName(path.Base(name)) {
				continue
			}
			src, err := p.pol.ReadFile(path.Clean(name))
			if err != nil {
				continue
			}
			if s, err := parse(src); err == nil && hasServices(s) {
				p.report(finding.Unsupported, n, false, "%s is included, so compose runs its services, but a directory walk finds compose files by name (compose.yaml, docker-compose.*.yml, ...) and does not harden it: run rofix on it", name)
			}
		}
	}
}

// IsName reports whether a base name is one a directory walk treats as a
// compose file: compose's default names (baseNames) and the
// compose.NAME.y(a)ml and docker-compose.NAME.y(a)ml variants, override
// files included.
func IsName(base string) bool {
	return slices.Contains(baseNames(), base) || isSiblingName(base)
}

// hasServices reports a document with a services mapping.
func hasServices(s *source) bool {
	for _, d := range s.Docs {
		if _, v := lookup(yamledit.DocRoot(d), "services"); v != nil && v.Kind == yaml.MappingNode {
			return true
		}
	}
	return false
}
