package compose

import (
	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// This file merges a service with the same service in the other files of
// its set (set.go): which file defines it, what the merged service holds,
// and what a file that only refines it does.

// join attaches the set's layers to svc. It returns the layer of the
// file (or document) that defines svc, when that is another one: svc then
// refines it.
func (p *planner) join(svc *service) (layer, bool) {
	own := defines(svc.m, svc.inherited())
	for _, ls := range p.set.earlier {
		// Hardened where it is defined, even when this file changes its
		// image (the base judges it by that image); a file that -f may
		// use alone hardens a service it defines itself.
		if l, ok := ls[svc.name]; ok && l.defines && (l.always || !own) {
			return l, true
		}
	}
	for i := len(p.set.earlier) - 1; i >= 0; i-- {
		// What came before says nothing of what runs: this service
		// defines it, merged over those.
		if l, ok := p.set.earlier[i][svc.name]; ok && !l.defines {
			svc.extended = append(svc.extended, l.m)
			svc.extended = append(svc.extended, l.bases...)
			svc.directives = append(svc.directives, l)
		}
	}
	for _, ls := range p.set.later {
		if l, ok := ls[svc.name]; ok && l.defines && !own {
			return l, true
		}
	}
	for i := len(p.set.later) - 1; i >= 0; i-- {
		if l, ok := p.set.later[i][svc.name]; ok {
			svc.later = append(svc.later, l.m)
			svc.later = append(svc.later, l.bases...)
			svc.directives = append(svc.directives, l)
		}
	}
	return layer{}, false
}

// setDirectives applies to svc the rofix:ignore directives the other files
// of the set carry on it: an explicit choice there wins as it does here.
// It reports whether the service is skipped altogether.
func (p *planner) setDirectives(svc *service) bool {
	for _, l := range svc.directives {
		if !l.hasIgnore {
			continue
		}
		off := p.s.Start(svc.key)
		if l.ignore.All || l.ignore.File || len(l.ignore.Unknown) > 0 {
			p.plan.Add(finding.Directive, off, off, false, "service %s skipped by rofix:ignore in %s (line %d)", svc.name, l.file, l.key.Line)
			return true
		}
		svc.ignore = svc.ignore.Merge(l.ignore)
		p.plan.Add(finding.Directive, off, off, false, "rules %s skipped for service %s by rofix:ignore in %s (line %d)", joinRules(l.ignore.Rules), svc.name, l.file, l.key.Line)
	}
	return false
}

// inherited returns the mappings svc inherits from, nearest first.
func (svc *service) inherited() []*yaml.Node {
	return append(append([]*yaml.Node(nil), svc.merged...), svc.extended...)
}

// fragment reports whether svc says nowhere what it runs: no image:,
// build: or extends: in this file or its set. Compose refuses such a
// service alone, so it is part of a -f list no file names.
func (svc *service) fragment() bool {
	return !defines(svc.m, append(svc.inherited(), svc.later...))
}

// refine plans a service that another file of the set defines, in def:
// the hardening is added there. Here only the explicit choices the
// service carries are reported (compose's merge lets them win), and its
// own bind mounts may become read-only.
func (p *planner) refine(svc *service, def layer) {
	// What the merged service writes decides which binds stay writable.
	svc.extended = append(svc.extended, def.m)
	svc.extended = append(svc.extended, def.bases...)
	p.decide(svc)
	if _, v := lookup(svc.m, "read_only"); v != nil && !svc.ignore.Skips(finding.ReadOnly) {
		switch boolValue(v) {
		case policy.Off:
			p.report(finding.ReadOnly, v, false, "read_only: false is an explicit choice; kept (compose merges it over %s, where service %s is defined)", def.file, svc.name)
		case policy.Dynamic:
			p.report(finding.ReadOnly, v, false, "read_only comes from a variable (%s); left as is", v.Value)
		}
	}
	if _, v := lookup(svc.m, "security_opt"); v != nil && !svc.ignore.Skips(finding.NoNewPrivileges) {
		for _, item := range itemNodes(v) {
			if policy.NoNewPrivileges(item.Value) == policy.Off {
				p.report(finding.NoNewPrivileges, item, false, "%s is an explicit choice; kept", item.Value)
			}
		}
	}
	if !svc.ignore.Skips(finding.ROMounts) {
		p.writable = svc.applied.Writable
		p.roMounts(svc)
	}
}
