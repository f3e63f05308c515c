package compose

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/directive"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// service is one service being hardened.
type service struct {
	name   string
	key    *yaml.Node // the service's key in services:
	m      *yaml.Node // its mapping
	indent int        // the column of its key
	ignore directive.Ignore
	// bases are the mappings it inherits from, nearest first: merge keys
	// ("<<"), then a service it extends in the same file.
	merged   []*yaml.Node
	extended []*yaml.Node
	// later are the mappings of the file compose merges over this one
	// (the override's service, for the base), nearest first: their
	// values win (set.go).
	later []*yaml.Node
	// directives are the other files' services merged into this one,
	// for the rofix:ignore directives they carry.
	directives []layer
	// applied is what the policy decided for its container; mountNodes
	// are the nodes of its mounts, indexed by policy.MountPoint.Ref.
	applied    policy.Applied
	mountNodes []*yaml.Node
	// buildNote says what its Dockerfile told, or why it was not read.
	buildNote string
}

// windowsService says which service of a services: mapping is a Windows
// container ("service db is one: image ...-nanoserver"), or "": a project
// runs on one daemon, so then every service is a Windows container.
func (p *planner) windowsService(services *yaml.Node) string {
	for i := 0; i+1 < len(services.Content); i += 2 {
		k, v := services.Content[i], services.Content[i+1]
		if k.Kind != yaml.ScalarNode || isMergeKey(k) || v.Kind != yaml.MappingNode {
			continue
		}
		svc := &service{name: k.Value, m: v, merged: mergeSources(v, 0), extended: extendsChain(services, v)}
		image := ""
		if _, iv, _ := svc.effective("image"); iv != nil && iv.Kind == yaml.ScalarNode {
			image = iv.Value
		} else if _, b, _ := svc.effective("build"); b != nil {
			if fb, ok, err := p.pol.ReadBuild(readBuild(b)); ok && err == nil {
				image = fb.Final.Base // the base of its Dockerfile's final stage
			}
		}
		if why := policy.Windows(image, svc.role()); why != "" {
			return "service " + k.Value + " of this file is one: " + why
		}
	}
	return ""
}

// services hardens every service of a services: mapping.
func (p *planner) services(key, services *yaml.Node) error {
	switch {
	case services.Kind == yaml.AliasNode:
		p.plan.Add(finding.Unsupported, p.s.Start(services), p.s.Start(services), false, "services is an alias; harden the anchored mapping instead")
		return nil
	case services.Kind == yaml.ScalarNode && services.Tag == "!!null":
		return nil
	case services.Kind != yaml.MappingNode:
		return finding.Errorf(p.s.Start(services), "services must be a mapping of service names to services")
	}
	indent := p.s.KeyColumn(key)
	// Services that say nothing of what runs are reported together, once.
	var fragments []string
	fragmentAt := 0
	p.windows = p.windowsService(services)
	p.svcs, p.volumesFrom = services, volumesFromOf(services)
	for i := 0; i+1 < len(services.Content); i += 2 {
		// Under services, x- keys are service names too: compose-go only
		// treats x- as an extension at the top level and inside objects.
		k, v := services.Content[i], services.Content[i+1]
		if isMergeKey(k) {
			if !dropped(v) && len(mergeSources(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{k, v}}, 0)) > 0 {
				at := p.s.Start(k)
				p.plan.Add(finding.Unsupported, at, at, false, "services merged in with << are not hardened here; harden them where the merged mapping is written")
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return finding.Errorf(p.s.Start(k), "a service name must be a plain string, not a %s", kindName(k))
		}
		off := p.s.Start(k)
		p.plan.Subject = &finding.Subject{Kind: "service", Name: k.Value, Start: off}
		ig, hasDirective := p.s.serviceDirective(k)
		if len(ig.Unknown) > 0 {
			optIn := "" // named once they are on: with them off the message stays as it was
			if len(p.pol.On) > 0 {
				optIn = "; opt-in: cap-drop, non-root"
			}
			p.plan.Add(finding.Directive, off, off, false, "unknown rule %q in rofix:ignore; the service is skipped (rules: read-only, tmpfs, no-new-privileges, ro-mounts%s)", strings.Join(ig.Unknown, ","), optIn)
		}
		if hasDirective && (ig.All || ig.File) {
			p.plan.Add(finding.Directive, off, off, false, "service %s skipped by rofix:ignore", k.Value)
			continue
		}
		switch {
		case dropped(v):
			continue // "name: !reset" removes the service an earlier file defined
		case v.Kind == yaml.AliasNode:
			p.plan.Add(finding.Unsupported, off, off, false, "service %s is an alias of &%s: it shares that mapping, which is hardened where it is defined", k.Value, v.Value)
			continue
		case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
			p.plan.Add(finding.Unsupported, off, off, false, "service %s is empty; nothing to harden", k.Value)
			continue
		case v.Kind != yaml.MappingNode:
			return finding.Errorf(p.s.Start(v), "service %s must be a mapping", k.Value)
		}
		// Rules a config file switches off are skipped like a directive's.
		svc := &service{name: k.Value, key: k, m: v, indent: indent, ignore: ig.Merge(directive.Ignore{Rules: p.pol.Off})}
		if hasDirective {
			p.plan.Add(finding.Directive, off, off, false, "rules %s skipped for service %s by rofix:ignore", joinRules(ig.Rules), k.Value)
		}
		svc.merged = mergeSources(v, 0)
		svc.extended = extendsChain(services, v)
		fromFile := p.extendsFile(svc)
		switch def, ok := p.join(svc); {
		case ok:
			p.refine(svc, def)
		case p.setDirectives(svc):
		case !fromFile && svc.fragment():
			if len(fragments) == 0 {
				fragmentAt = off
			}
			fragments = append(fragments, k.Value)
		default:
			p.harden(svc)
		}
	}
	p.plan.Subject = nil
	switch len(fragments) {
	case 0:
	case 1:
		p.plan.Add(finding.Unsupported, fragmentAt, fragmentAt, false, "service %s has no image:, build: or extends:, so compose runs it only merged with a file that defines it (docker compose -f); rofix hardens a service where it is defined and leaves this one alone", fragments[0])
	default:
		p.plan.Add(finding.Unsupported, fragmentAt, fragmentAt, false, "services %s have no image:, build: or extends:, so compose runs them only merged with a file that defines them (docker compose -f); rofix hardens a service where it is defined and leaves these alone", strings.Join(fragments, ", "))
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.AliasNode:
		return "alias"
	}
	return "scalar"
}

func joinRules(rules []finding.Rule) string {
	var ids []string
	for _, r := range rules {
		ids = append(ids, string(r))
	}
	return strings.Join(ids, ",")
}

// mergeSources returns the mappings merged into m with "<<", nearest first,
// including the ones they merge in turn.
func mergeSources(m *yaml.Node, depth int) []*yaml.Node {
	if depth > 16 {
		return nil
	}
	var out []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !isMergeKey(m.Content[i]) {
			continue
		}
		v := m.Content[i+1]
		if dropped(v) {
			continue
		}
		if v.Kind == yaml.AliasNode && v.Alias != nil && v.Alias.Kind == yaml.SequenceNode {
			v = v.Alias // compose-go merges an alias of a list of mappings too
		}
		refs := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			refs = v.Content
		}
		for _, r := range refs {
			if dropped(r) {
				continue
			}
			if r.Kind == yaml.AliasNode {
				r = r.Alias
			}
			if r != nil && r.Kind == yaml.MappingNode {
				out = append(out, r)
				out = append(out, mergeSources(r, depth+1)...)
			}
		}
	}
	return out
}

// extendsChain follows "extends" to services of the same file (no file:
// key), nearest first, with their own merge sources.
func extendsChain(services, m *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	seen := map[*yaml.Node]bool{m: true}
	for {
		_, ext := lookup(m, "extends")
		name := ""
		switch {
		case ext == nil:
			return out
		case ext.Kind == yaml.ScalarNode:
			name = ext.Value
		case ext.Kind == yaml.MappingNode:
			if f, _ := lookup(ext, "file"); f != nil {
				return out
			}
			if _, s := lookup(ext, "service"); s != nil && s.Kind == yaml.ScalarNode {
				name = s.Value
			}
		}
		_, base := lookup(services, name)
		if base != nil && base.Kind == yaml.AliasNode {
			base = base.Alias
		}
		if base == nil || base.Kind != yaml.MappingNode || seen[base] {
			return out
		}
		seen[base] = true
		out = append(out, base)
		out = append(out, mergeSources(base, 0)...)
		m = base
	}
}

// origin says where an effective setting comes from.
type origin int

const (
	fromNone origin = iota
	fromLocal
	fromMerge
	fromExtends
	fromOverride // a file compose merges over this one
)

// effective returns the value of key for svc: its own, else a merged one,
// else an extended service's.
func (svc *service) effective(key string) (*yaml.Node, *yaml.Node, origin) {
	if k, v := lookup(svc.m, key); k != nil {
		return k, v, fromLocal
	}
	for _, m := range svc.merged {
		if k, v := lookup(m, key); k != nil {
			return k, v, fromMerge
		}
	}
	for _, m := range svc.extended {
		if k, v := lookup(m, key); k != nil {
			return k, v, fromExtends
		}
	}
	return nil, nil, fromNone
}

// winning returns the value of key compose keeps for svc when it merges
// the set: a later file's, else effective's.
func (svc *service) winning(key string) (*yaml.Node, *yaml.Node, origin) {
	for _, m := range svc.later {
		if k, v := lookup(m, key); k != nil {
			return k, v, fromOverride
		}
	}
	return svc.effective(key)
}

// allValues returns every value of key that compose combines for svc:
// local, merged (shadowed by local for "<<"), extended and later files'
// (lists append).
func (svc *service) allValues(key string) []*yaml.Node {
	var out []*yaml.Node
	if _, v := lookup(svc.m, key); v != nil {
		out = append(out, v)
	} else {
		for _, m := range svc.merged {
			if _, v := lookup(m, key); v != nil {
				out = append(out, v)
				break
			}
		}
	}
	for _, m := range svc.extended {
		if _, v := lookup(m, key); v != nil {
			out = append(out, v)
		}
	}
	for _, m := range svc.later {
		if _, v := lookup(m, key); v != nil {
			out = append(out, v)
		}
	}
	return out
}

// boolValue reads a compose boolean: policy.On, Off, Dynamic for a
// variable, Absent for anything else.
func boolValue(v *yaml.Node) policy.Tri {
	if v == nil || v.Kind != yaml.ScalarNode {
		return policy.Absent
	}
	switch v.Value {
	case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y":
		return policy.On
	case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N":
		return policy.Off
	}
	if strings.Contains(v.Value, "$") {
		return policy.Dynamic
	}
	return policy.Absent
}

// strings returns the string items of a string-or-list value.
func stringItems(v *yaml.Node) []string {
	if v == nil {
		return nil
	}
	if v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Tag == "!!null" {
			return nil
		}
		return []string{v.Value}
	case yaml.SequenceNode:
		var out []string
		for _, item := range v.Content {
			if item.Kind == yaml.AliasNode {
				item = item.Alias
			}
			if item != nil && item.Kind == yaml.ScalarNode {
				out = append(out, item.Value)
			}
		}
		return out
	}
	return nil
}
