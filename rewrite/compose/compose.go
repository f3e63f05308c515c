// Package compose hardens Docker Compose files with minimal byte edits.
//
// yaml.v3 only locates nodes. The planner decides, per service, what the
// policy asks for (read_only, a tmpfs on /tmp, no-new-privileges, read-only
// bind mounts), expresses each change as a byte edit on the original text
// plus the same change on the YAML tree, and verifies the edited text by
// re-parsing it and comparing it with the changed tree. A file is judged
// with the files compose merges it with (its base or override, the
// documents of the file, an extends: file; see set.go): a service is
// hardened where it is defined, on what the merged service holds.
package compose

import (
	"errors"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/directive"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// ErrNotCompose is returned for YAML without a top-level services mapping.
var ErrNotCompose = errors.New("not a compose file: no top-level services mapping")

// ErrV1 is wrapped by the error for YAML shaped like a compose file of the
// old v1 format: services (mappings with an image or build) at the top
// level. For a file with a compose name it is an error worth naming; a YAML
// file found for another reason (a Helm chart's values.yaml) is just not
// compose.
var ErrV1 = errors.New("compose file format v1 (services at the top level, no services: key) is not supported")

// planner holds the state of planning one file.
type planner struct {
	s    *source
	pol  policy.Policy
	plan *finding.Plan
	ch   *yamledit.Changes
	// aliased counts, per anchored node, the aliases that refer to it: an
	// edit inside such a node changes every place that uses it.
	aliased map[*yaml.Node]int
	// writable are the paths the current service writes (see scratch).
	writable []string
	// set is what the other files compose merges this one with hold
	// (set.go); foreign marks their nodes, by file name.
	set     set
	foreign map[*yaml.Node]string
	// extends are the services of the files extends: names, by name.
	extends map[string]map[string]layer
	// depth counts the files planned to plan this one (an extends: file).
	depth int
	// windows, when set, says which service makes the project a Windows
	// one (see windowsService).
	windows string
	// svcs is the file's services mapping; volumesFrom maps a service
	// whose volumes another takes (volumes_from) to that other service.
	svcs        *yaml.Node
	volumesFrom map[string]string
}

// Plan returns the edits and findings that harden every service of a
// compose file read alone.
func Plan(src []byte, pol policy.Policy) (*finding.Plan, error) {
	return planFile("", src, pol, maxSetDepth)
}

// PlanFile is Plan for the file named name, judged with the files compose
// merges it with (set.go), read through pol.ReadFile.
func PlanFile(name string, src []byte, pol policy.Policy) (*finding.Plan, error) {
	return planFile(name, src, pol, 0)
}

func planFile(name string, src []byte, pol policy.Policy, depth int) (*finding.Plan, error) {
	s, err := parse(src)
	if err != nil {
		return nil, err
	}
	// An empty or comment-only file has no services: like any YAML without
	// them, it is not compose (notCompose below).
	p := &planner{s: s, pol: pol, plan: &finding.Plan{}, ch: yamledit.NewChanges(s.Source), aliased: map[*yaml.Node]int{}, foreign: map[*yaml.Node]string{}, depth: depth}
	for _, d := range s.Docs {
		if err := p.scan(d, 0); err != nil {
			return nil, err
		}
	}
	if err := s.CheckAliasExpansion(": compose rejects this file"); err != nil {
		return nil, err
	}
	if err := s.checkDecodable(); err != nil {
		return nil, err
	}
	if err := s.checkAliasPaths(); err != nil {
		return nil, err
	}
	if err := s.checkAliasRatio(); err != nil {
		return nil, err
	}
	if off, ok := s.IgnoreFileDirective(); ok {
		p.plan.Add(finding.Directive, off, off, false, "rofix:ignore-file: file skipped")
		return p.plan, nil
	}
	p.loadSet(name)
	// Compose merges the documents of a file in order, as it merges
	// files: each document's services are judged with the others'.
	type doc struct{ key, services *yaml.Node }
	var docs []doc
	var layers []map[string]layer
	for i, d := range s.Docs {
		top := yamledit.DocRoot(d)
		if top == nil || top.Kind != yaml.MappingNode {
			continue
		}
		p.includes(top)
		if key, services := lookup(top, "services"); key != nil {
			docs = append(docs, doc{key, services})
			layers = append(layers, p.documentLayers(i+1, services))
		}
	}
	found := len(docs) > 0
	earlier, later := p.set.earlier, p.set.later
	for i, d := range docs {
		p.set.earlier = append(earlier[:len(earlier):len(earlier)], layers[:i]...)
		p.set.later = append(append([]map[string]layer(nil), layers[i+1:]...), later...)
		if err := p.services(d.key, d.services); err != nil {
			return nil, err
		}
	}
	if !found {
		return nil, s.notCompose()
	}
	if err := p.ch.Flush(); err != nil {
		return nil, err
	}
	p.plan.Edits = p.ch.Edits()
	if len(p.plan.Edits) > 0 {
		p.plan.Verify = verifier(p.s, p.ch, p.plan.Edits)
	}
	return p.plan, nil
}

// maxDepth bounds nesting; yaml.v3 has its own limit, this one keeps every
// recursive walk here safe on hostile input.
const maxDepth = 1000

// scan walks a document once: it bounds nesting and counts aliases.
// Duplicate keys (compose refuses them, and an edit would land on one copy
// only) are refused with the rest of what decoding rejects
// (checkDecodable).
func (p *planner) scan(n *yaml.Node, depth int) error {
	if depth > maxDepth {
		return finding.Errorf(p.s.Start(n), "nesting deeper than %d levels", maxDepth)
	}
	if n.Kind == yaml.AliasNode {
		p.aliased[n.Alias]++
		return nil
	}
	for _, c := range n.Content {
		if err := p.scan(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// notCompose explains why a YAML file is not processed: a compose file in
// the old v1 format (services at the top level) is an error worth naming;
// any other YAML is simply not compose.
func (s *source) notCompose() error {
	for _, d := range s.Docs {
		top := yamledit.DocRoot(d)
		if top == nil || top.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(top.Content); i += 2 {
			v := top.Content[i+1]
			if v.Kind != yaml.MappingNode || isTopLevelKey(top.Content[i].Value) {
				continue
			}
			k, _ := lookup(v, "image")
			if k == nil {
				k, _ = lookup(v, "build")
			}
			if k != nil {
				return finding.Errorf(s.Start(top.Content[i]), "%w; move the services under services:", ErrV1)
			}
		}
	}
	return ErrNotCompose
}

// isTopLevelKey reports a key compose knows at the top level, extensions
// (x-) included: a volume named "build" or an extension holding image: is
// no v1 service.
func isTopLevelKey(key string) bool {
	switch key {
	case "version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models":
		return true
	}
	return strings.HasPrefix(key, "x-")
}

// lookup returns the key and value nodes of key in mapping m.
func lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key && !isMergeKey(m.Content[i]) {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// isMergeKey reports a "<<" merge key as the decoder sees it: a scalar
// resolving to !!merge (plain "<<", or any key tagged !!merge; a quoted
// "<<" is a plain string key).
func isMergeKey(k *yaml.Node) bool { return k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" }

// serviceDirective reads the ignore directives of a service: a comment on
// the line above its key, or at the end of the key's line.
func (s *source) serviceDirective(key *yaml.Node) (directive.Ignore, bool) {
	var ig directive.Ignore
	found := false
	if key.Line > 1 {
		start := s.LineStart(key.Line - 1)
		line := strings.TrimSpace(string(s.Src[start:s.LineEnd(start)]))
		if strings.HasPrefix(line, "#") {
			if d, ok := directive.Parse(line); ok {
				ig, found = ig.Merge(d), true
			}
		}
	}
	off := s.Start(key)
	if d, ok := directive.FindInLine(string(s.Src[off:s.LineEnd(off)])); ok {
		ig, found = ig.Merge(d), true
	}
	return ig, found
}
