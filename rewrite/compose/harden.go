package compose

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// harden applies every rule to one service.
func (p *planner) harden(svc *service) {
	if p.readOnly(svc) && !svc.ignore.Skips(finding.Tmpfs) {
		p.tmpfs(svc)
	}
	if !svc.ignore.Skips(finding.NoNewPrivileges) {
		p.noNewPrivileges(svc)
	}
	if !svc.ignore.Skips(finding.ROMounts) {
		p.roMounts(svc)
	}
}

// readOnly ensures read_only: true and reports whether the service is (or
// becomes) read-only.
func (p *planner) readOnly(svc *service) bool {
	k, v, from := svc.effective("read_only")
	state := boolValue(v)
	if svc.ignore.Skips(finding.ReadOnly) {
		return state == policy.On || state == policy.Dynamic
	}
	if k == nil {
		p.ch.addKey(svc.m, svc.indent, "read_only", value{scalar: "true", tag: "!!bool"})
		p.report(finding.ReadOnly, svc.key, true, "read_only: true added to service %s", svc.name)
		return true
	}
	switch state {
	case policy.On:
		return true
	case policy.Off:
		if from == fromLocal {
			p.report(finding.ReadOnly, v, false, "read_only: false is an explicit choice; kept, so no tmpfs is added")
		} else {
			p.report(finding.ReadOnly, svc.key, false, "service %s inherits read_only: false%s (line %d): an explicit choice; kept, so no tmpfs is added", svc.name, inherited(from), v.Line)
		}
	case policy.Dynamic:
		p.report(finding.ReadOnly, v, false, "read_only comes from a variable (%s); left as is", v.Value)
		return true
	default:
		p.report(finding.ReadOnly, v, false, "read_only has a value rofix does not read as a boolean; left as is")
	}
	return false
}

func inherited(from origin) string {
	switch from {
	case fromMerge:
		return " from a << merge"
	case fromExtends:
		return " through extends"
	}
	return ""
}

// tmpfs ensures a tmpfs on each scratch path the policy names, unless
// something is already mounted there.
func (p *planner) tmpfs(svc *service) {
	var missing []string
	for _, path := range p.pol.TmpfsPaths {
		if !p.mounted(svc, path) {
			missing = append(missing, path)
		}
	}
	if len(missing) == 0 {
		return
	}
	k, v, from := svc.effective("tmpfs")
	switch from {
	case fromNone, fromExtends: // extends appends lists, so a local list adds to it
		p.ch.addKey(svc.m, svc.indent, "tmpfs", value{list: missing})
		p.report(finding.Tmpfs, svc.key, true, "tmpfs %s added to service %s", strings.Join(missing, ", "), svc.name)
	case fromMerge:
		p.report(finding.Tmpfs, svc.key, false, "tmpfs comes from a << merge and a local tmpfs would replace it: add %s where the merged mapping is defined", strings.Join(missing, ", "))
	case fromLocal:
		if p.appendList(svc, k, v, missing, finding.Tmpfs) {
			p.report(finding.Tmpfs, v, true, "tmpfs %s added to service %s", strings.Join(missing, ", "), svc.name)
		}
	}
}

// mounted reports whether anything already mounts path: a tmpfs entry, a
// short or long volume, whatever its type.
func (p *planner) mounted(svc *service, path string) bool {
	for _, v := range svc.allValues("tmpfs") {
		for _, entry := range stringItems(v) {
			if cleanTarget(policy.TmpfsTarget(entry)) == path {
				return true
			}
		}
	}
	for _, v := range svc.allValues("volumes") {
		if v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		if v == nil {
			continue
		}
		for _, item := range v.Content {
			if item.Kind == yaml.AliasNode {
				item = item.Alias
			}
			switch {
			case item == nil:
			case item.Kind == yaml.ScalarNode:
				if vol, ok := policy.ParseVolume(item.Value); ok && cleanTarget(vol.Target) == path {
					return true
				}
			case item.Kind == yaml.MappingNode:
				if _, t := lookup(item, "target"); t != nil && cleanTarget(t.Value) == path {
					return true
				}
			}
		}
	}
	return false
}

func cleanTarget(t string) string {
	if len(t) > 1 {
		t = strings.TrimRight(t, "/")
	}
	return t
}

// noNewPrivileges ensures security_opt holds no-new-privileges:true, unless
// some spelling of it is there or it is explicitly false.
func (p *planner) noNewPrivileges(svc *service) {
	for _, v := range svc.allValues("security_opt") {
		for _, item := range itemNodes(v) {
			switch policy.NoNewPrivileges(item.Value) {
			case policy.On:
				return
			case policy.Off:
				p.report(finding.NoNewPrivileges, item, false, "%s is an explicit choice; kept", item.Value)
				return
			case policy.Dynamic:
				p.report(finding.NoNewPrivileges, item, false, "%s comes from a variable; left as is", item.Value)
				return
			}
		}
	}
	const opt = "no-new-privileges:true"
	k, v, from := svc.effective("security_opt")
	switch from {
	case fromNone, fromExtends:
		p.ch.addKey(svc.m, svc.indent, "security_opt", value{list: []string{opt}})
		p.report(finding.NoNewPrivileges, svc.key, true, "security_opt %s added to service %s", opt, svc.name)
	case fromMerge:
		p.report(finding.NoNewPrivileges, svc.key, false, "security_opt comes from a << merge and a local list would replace it: add %s where the merged mapping is defined", opt)
	case fromLocal:
		if p.appendList(svc, k, v, []string{opt}, finding.NoNewPrivileges) {
			p.report(finding.NoNewPrivileges, v, true, "%s added to security_opt of service %s", opt, svc.name)
		}
	}
}

// itemNodes returns the scalar items of a string-or-list value.
func itemNodes(v *yaml.Node) []*yaml.Node {
	if v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	if v == nil {
		return nil
	}
	if v.Kind == yaml.ScalarNode {
		return []*yaml.Node{v}
	}
	var out []*yaml.Node
	for _, item := range v.Content {
		if item.Kind == yaml.AliasNode {
			item = item.Alias
		}
		if item != nil && item.Kind == yaml.ScalarNode {
			out = append(out, item)
		}
	}
	return out
}

// report adds a finding spanning node n.
func (p *planner) report(rule finding.Rule, n *yaml.Node, fixed bool, format string, args ...any) {
	start, end := p.span(n)
	p.plan.Add(rule, start, end, fixed, format, args...)
}

// span returns the byte range of a node's text, or an empty range at its
// start when the end cannot be found.
func (p *planner) span(n *yaml.Node) (int, int) {
	start := p.s.start(n)
	if n.Kind != yaml.ScalarNode {
		return start, start
	}
	end, err := p.s.scalarEnd(n, p.s.column(start), false)
	if err != nil || end < start {
		return start, start
	}
	return start, end
}
