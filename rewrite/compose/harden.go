package compose

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// harden applies every rule to one service.
func (p *planner) harden(svc *service) {
	p.decide(svc)
	if svc.applied.Alone != "" {
		// Not a service rofix hardens: no edit at all, said once.
		if !svc.ignore.Skips(finding.ReadOnly) {
			p.report(finding.ReadOnly, svc.key, false, "service %s: %s", svc.name, svc.applied.Alone)
		}
		return
	}
	withTmpfs := !svc.ignore.Skips(finding.Tmpfs)
	canTmpfs := func() bool { return !withTmpfs || p.tmpfsPossible(svc) }
	if p.readOnly(svc, canTmpfs) {
		p.notes(svc, svc.applied.ReadOnlyNotes)
		p.buildNotes(svc)
		if withTmpfs {
			p.tmpfs(svc)
		}
		p.notes(svc, svc.applied.Notes)
	}
	if !svc.ignore.Skips(finding.NoNewPrivileges) {
		p.noNewPrivileges(svc)
	}
	p.privileges(svc)
	if !svc.ignore.Skips(finding.ROMounts) {
		if by := p.volumesFrom[svc.name]; by != "" {
			if k, _ := lookup(svc.m, "volumes"); k != nil {
				p.report(finding.ROMounts, k, false, "service %s takes these volumes (volumes_from): :ro here would make them read-only there too; mounts left as written", by)
			}
			return
		}
		p.writable = svc.applied.Writable
		p.roMounts(svc)
	}
}

// readOnly ensures read_only: true and reports whether the service is (or
// becomes) read-only, or needs a tmpfs anyway. It adds read_only only when
// canTmpfs says the scratch paths can be made writable: a read-only
// container without a writable /tmp crashes at its first temporary file.
func (p *planner) readOnly(svc *service, canTmpfs func() bool) bool {
	k, v, from := svc.winning("read_only")
	state := boolValue(v)
	if svc.ignore.Skips(finding.ReadOnly) {
		return state == policy.On || state == policy.Dynamic
	}
	if from == fromOverride && dropped(v) {
		p.report(finding.ReadOnly, svc.key, false, "%s resets read_only of service %s (!reset, line %d), so compose drops what this file says: neither read_only nor a tmpfs is added here", p.laterName(v), svc.name, v.Line)
		return false
	}
	if k == nil {
		if !svc.applied.ReadOnly {
			// The image does not run read-only: say why, add nothing.
			p.notes(svc, svc.applied.ReadOnlyNotes)
			return false
		}
		if !canTmpfs() {
			p.report(finding.ReadOnly, svc.key, false, "read_only: true not added to service %s: rofix cannot add the tmpfs a read-only container needs here (see the tmpfs finding)", svc.name)
			return true // so that the tmpfs rule says why
		}
		p.ch.AddKey(svc.m, svc.indent, "read_only", yamledit.Bool(true))
		p.report(finding.ReadOnly, svc.key, true, "read_only: true added to service %s", svc.name)
		return true
	}
	switch state {
	case policy.On:
		return true
	case policy.Off:
		switch {
		case from == fromLocal:
			p.report(finding.ReadOnly, v, false, "read_only: false is an explicit choice; kept, so no tmpfs is added")
		case p.foreign[v] != "":
			p.report(finding.ReadOnly, svc.key, false, "service %s gets read_only: false from %s (line %d)%s: an explicit choice; kept, so neither read_only nor a tmpfs is added here", svc.name, p.laterName(v), v.Line, inherited(from))
		case from == fromOverride:
			p.report(finding.ReadOnly, svc.key, false, "service %s gets read_only: false from %s (line %d): an explicit choice; kept, so neither read_only nor a tmpfs is added here", svc.name, p.laterName(v), v.Line)
		default:
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

// replacedLater reports (and says so) when a file compose merges over this
// one replaces key of svc (!reset or !override): what this file adds there
// would be dropped, so wanted belongs in that file.
func (p *planner) replacedLater(svc *service, key string, rule finding.Rule, wanted string) bool {
	for _, m := range svc.later {
		if _, v := lookup(m, key); v != nil {
			if v.Tag != "!reset" && v.Tag != "!override" {
				return false
			}
			p.report(rule, svc.key, false, "%s replaces %s of service %s (%s, line %d), so compose drops what this file says: add %s there", p.laterName(v), key, svc.name, v.Tag, v.Line, wanted)
			return true
		}
	}
	return false
}

// laterName names where a node of another file or document of the set is.
func (p *planner) laterName(n *yaml.Node) string {
	if file := p.foreign[n]; file != "" {
		return file
	}
	return "a later document of this file"
}

func inherited(from origin) string {
	switch from {
	case fromMerge:
		return " from a << merge"
	case fromExtends:
		return " through extends"
	case fromOverride:
		return ", which compose merges over this file"
	}
	return ""
}

// tmpfsPossible tells whether tmpfs can ensure the scratch paths, by
// planning it on scratch changes that are then thrown away.
func (p *planner) tmpfsPossible(svc *service) bool {
	ch, plan := p.ch, p.plan
	p.ch, p.plan = yamledit.NewChanges(p.s.Source), &finding.Plan{}
	ok := p.tmpfs(svc)
	p.ch, p.plan = ch, plan
	return ok
}

// tmpfs adds the tmpfs entries the policy decided (it leaves out the
// paths something already mounts) and reports whether they are (or will
// be) all mounted.
func (p *planner) tmpfs(svc *service) bool {
	missing := svc.applied.Tmpfs
	if len(missing) == 0 {
		return true
	}
	if p.replacedLater(svc, "tmpfs", finding.Tmpfs, strings.Join(missing, ", ")) {
		return false
	}
	k, v, from := svc.effective("tmpfs")
	switch from {
	case fromNone, fromExtends: // extends appends lists, so a local list adds to it
		p.ch.AddKey(svc.m, svc.indent, "tmpfs", rawList(missing))
		p.report(finding.Tmpfs, svc.key, true, "tmpfs %s added to service %s", strings.Join(missing, ", "), svc.name)
		return true
	case fromMerge:
		p.report(finding.Tmpfs, svc.key, false, "tmpfs comes from a << merge and a local tmpfs would replace it: add %s where the merged mapping is defined", strings.Join(missing, ", "))
	case fromLocal:
		if p.appendList(svc, k, v, missing, finding.Tmpfs) {
			p.report(finding.Tmpfs, v, true, "tmpfs %s added to service %s", strings.Join(missing, ", "), svc.name)
			return true
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
	if p.replacedLater(svc, "security_opt", finding.NoNewPrivileges, opt) {
		return
	}
	k, v, from := svc.effective("security_opt")
	switch from {
	case fromNone, fromExtends:
		p.ch.AddKey(svc.m, svc.indent, "security_opt", rawList([]string{opt}))
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

// report adds a finding spanning node n. A node of another file of the
// set is reported on the service's key, naming where it is.
func (p *planner) report(rule finding.Rule, n *yaml.Node, fixed bool, format string, args ...any) {
	if file := p.foreign[n]; file != "" && p.plan.Subject != nil {
		at := p.plan.Subject.Start
		p.plan.Add(rule, at, at, fixed, format+" (%s line %d)", append(args, file, n.Line)...)
		return
	}
	start, end := p.span(n)
	p.plan.Add(rule, start, end, fixed, format, args...)
}

// span returns the byte range of a node's text, or an empty range at its
// start when the end cannot be found.
func (p *planner) span(n *yaml.Node) (int, int) {
	start := p.s.Start(n)
	if n.Kind != yaml.ScalarNode {
		return start, start
	}
	// A plain scalar on one line is its value: this also ends it before a
	// flow indicator ("]", ",") that plainEnd outside flow would include.
	if end := start + len(n.Value); n.Style == 0 && end <= len(p.s.Src) && string(p.s.Src[start:end]) == n.Value {
		return start, end
	}
	end, err := p.s.ScalarEnd(n, p.s.Column(start), false)
	if err != nil || end < start {
		return start, start
	}
	return start, end
}

// rawList is a list of strings rofix writes as they are (tmpfs entries
// checked by policy.SafeTmpfsEntry, security options).
func rawList(items []string) yamledit.Value {
	vs := make([]yamledit.Value, len(items))
	for i, item := range items {
		vs[i] = yamledit.Raw(item)
	}
	return yamledit.Seq(vs...)
}
