package compose

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// This file is the compose side of the opt-in rules cap-drop and
// non-root: it reads a service's cap_add, cap_drop and user (what any
// file of its set, a << merge or an extended service says counts), and
// writes what policy.Apply decides as keys of their own: cap_drop: [ALL],
// cap_add, user: "UID:GID". The decisions are the policy's.

// readPrivileges records on c what the service says of its capabilities
// and user, and whether it has or gets no-new-privileges.
func (p *planner) readPrivileges(svc *service, c *policy.Container) {
	if _, u, _ := svc.winning("user"); u != nil && !dropped(u) && !(u.Kind == yaml.ScalarNode && u.Tag == "!!null") {
		c.UserSet = true
		if u.Kind != yaml.ScalarNode {
			c.User = "$" // not a value rofix can read: kept as an unknown user
		}
	}
	read := func(key string) []string {
		var out []string
		for _, v := range svc.allValues(key) {
			if dropped(v) {
				continue
			}
			if v.Kind == yaml.AliasNode {
				v = v.Alias
			}
			switch {
			case v == nil || v.Kind == yaml.ScalarNode && v.Tag == "!!null":
				continue
			case v.Kind != yaml.SequenceNode:
				c.CapsDynamic = true
				continue
			}
			if out == nil {
				out = []string{}
			}
			for _, item := range v.Content {
				if item.Kind == yaml.AliasNode {
					item = item.Alias
				}
				if item == nil || item.Kind != yaml.ScalarNode || strings.Contains(item.Value, "$") {
					c.CapsDynamic = true
					continue
				}
				out = append(out, item.Value)
			}
		}
		return out
	}
	c.CapAdd, c.CapDrop = read("cap_add"), read("cap_drop")
	c.NoNewPrivs = p.noNewPrivs(svc)
}

// noNewPrivs reports whether the service has no-new-privileges or gets
// it from this plan: noNewPrivileges planned on scratch changes either
// finds it on or adds it (a fixed finding).
func (p *planner) noNewPrivs(svc *service) bool {
	if svc.ignore.Skips(finding.NoNewPrivileges) {
		for _, v := range svc.allValues("security_opt") {
			for _, item := range itemNodes(v) {
				if policy.NoNewPrivileges(item.Value) == policy.On {
					return true
				}
			}
		}
		return false
	}
	ch, plan := p.ch, p.plan
	p.ch, p.plan = yamledit.NewChanges(p.s.Source), &finding.Plan{}
	p.noNewPrivileges(svc)
	scratch := p.plan
	p.ch, p.plan = ch, plan
	for _, f := range scratch.Findings {
		if !f.Fixed {
			return false
		}
	}
	return true
}

// privileges writes the user and the capabilities policy.Apply decided,
// and reports its findings for the opt-in rules (those on only).
func (p *planner) privileges(svc *service) {
	a := svc.applied
	for _, n := range a.PrivNotes {
		if !n.Fixed {
			p.report(n.Rule, svc.key, false, "%s", n.Text)
			if n.Quiet {
				p.plan.Findings[len(p.plan.Findings)-1].Note = true
			}
			continue
		}
		switch n.Rule {
		case finding.NonRoot:
			if p.addKey(svc, "user", yamledit.Str(a.User), finding.NonRoot, `user: "`+a.User+`"`) {
				p.report(finding.NonRoot, svc.key, true, "user %q added to service %s: %s", a.User, svc.name, n.Text)
			}
		case finding.CapDrop:
			wanted := "cap_drop: [ALL]"
			if len(a.CapAdd) > 0 {
				wanted += " and cap_add: [" + strings.Join(a.CapAdd, ", ") + "]"
			}
			if p.replacedLater(svc, "cap_drop", finding.CapDrop, wanted) || len(a.CapAdd) > 0 && p.replacedLater(svc, "cap_add", finding.CapDrop, wanted) {
				continue
			}
			p.ch.AddKey(svc.m, svc.indent, "cap_drop", rawList([]string{"ALL"}))
			if len(a.CapAdd) > 0 {
				p.ch.AddKey(svc.m, svc.indent, "cap_add", rawList(a.CapAdd))
			}
			p.report(finding.CapDrop, svc.key, true, "%s added to service %s: %s", wanted, svc.name, n.Text)
		}
	}
}

// addKey adds a key the service has nowhere in its set, unless a later
// file replaces it (reported).
func (p *planner) addKey(svc *service, key string, v yamledit.Value, rule finding.Rule, wanted string) bool {
	if p.replacedLater(svc, key, rule, wanted) {
		return false
	}
	p.ch.AddKey(svc.m, svc.indent, key, v)
	return true
}
