package compose

import (
	"errors"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/yamledit"
)

var errMultiline = errors.New("it is a multi-line scalar")

// roMounts makes the service's bind mounts read-only where the policy says
// the container only reads them: ":ro" in short syntax, "read_only: true"
// in long syntax. Named and anonymous volumes, tmpfs mounts and explicit
// modes are never touched.
func (p *planner) roMounts(svc *service) {
	k, v := lookup(svc.m, "volumes")
	if k == nil {
		return
	}
	list := v
	if v.Kind == yaml.AliasNode {
		list = v.Alias
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		return
	}
	keyCol := p.s.KeyColumn(k)
	if v.Kind != yaml.AliasNode && p.aliased[v] == 0 {
		p.mountItems(list, keyCol)
		return
	}
	// A list shared through an anchor: plan it aside, keep the notes where
	// the list is written (not at every alias) and report the edits that a
	// shared list cannot take.
	dry := &planner{s: p.s, pol: p.pol, plan: &finding.Plan{}, ch: yamledit.NewChanges(p.s.Source), aliased: p.aliased, writable: p.writable}
	dry.mountItems(list, keyCol)
	wanted := 0
	for _, f := range dry.plan.Findings {
		switch {
		case f.Fixed:
			wanted++
		case v.Kind != yaml.AliasNode:
			p.plan.Findings = append(p.plan.Findings, f)
		}
	}
	switch {
	case wanted == 0:
	case v.Kind == yaml.AliasNode:
		p.report(finding.Unsupported, v, false, "volumes is an alias (*%s): %d bind mount(s) there would become read-only, but rofix does not edit shared values; add :ro where &%s is defined", v.Value, wanted, v.Value)
	default:
		p.report(finding.Unsupported, v, false, "volumes is anchored (&%s) and used elsewhere: %d bind mount(s) would become read-only, but rofix does not edit shared values; add :ro by hand", v.Anchor, wanted)
	}
}

// mountItems plans every item of a volumes list.
func (p *planner) mountItems(list *yaml.Node, keyCol int) {
	flow := list.Style&yaml.FlowStyle != 0
	for _, item := range list.Content {
		owner := keyCol
		if !flow {
			owner = p.s.DashColumn(item) // continuation lines go deeper than the dash
		}
		switch item.Kind {
		case yaml.ScalarNode:
			p.shortVolume(item, owner, flow)
		case yaml.MappingNode:
			p.longVolume(item, owner)
		}
	}
}

// shortVolume handles "SOURCE:TARGET[:MODE]".
func (p *planner) shortVolume(item *yaml.Node, keyCol int, flow bool) {
	vol, ok := policy.ParseVolume(item.Value)
	if !ok || vol.Source == "" || !policy.IsBindSource(vol.Source) || item.ShortTag() != "!!str" {
		return
	}
	if isNamedPipe(vol.Source) {
		if strings.Contains(strings.ToLower(vol.Source), "docker_engine") {
			p.report(finding.ROMounts, item, false, "the engine's named pipe is mounted: the container controls the engine; :ro does not apply to a pipe")
		}
		return
	}
	if p.scratch(vol.Target) {
		return
	}
	d := p.pol.Decide(policy.Mount{Source: vol.Source, Target: vol.Target, Bind: true})
	if !p.modeAllows(item, policy.ClassifyMode(vol.Mode), d, ":"+vol.Mode) {
		return
	}
	if p.aliased[item] > 0 {
		p.report(finding.Unsupported, item, false, "%s is anchored and used elsewhere; rofix does not edit shared values", item.Value)
		return
	}
	suffix := policy.AppendRO(vol)
	if err := p.appendToScalar(item, suffix, keyCol, flow); err != nil {
		p.report(finding.Unsupported, item, false, "cannot add %s to %s: %v", suffix, item.Value, err)
		return
	}
	p.report(finding.ROMounts, item, true, "%s added to bind mount %s (%s)", suffix, item.Value, d.Reason)
}

// longVolume handles a mapping with type: bind.
func (p *planner) longVolume(item *yaml.Node, owner int) {
	_, typ := lookup(item, "type")
	_, src := lookup(item, "source")
	_, tgt := lookup(item, "target")
	if typ == nil || typ.Value != "bind" || src == nil || tgt == nil || p.scratch(tgt.Value) {
		return
	}
	d := p.pol.Decide(policy.Mount{Source: src.Value, Target: tgt.Value, Bind: true})
	mode := policy.ModeDefault
	at := src
	if rk, rv := lookup(item, "read_only"); rk != nil {
		at = rv
		switch boolValue(rv) {
		case policy.On:
			mode = policy.ModeReadOnly
		case policy.Off:
			mode = policy.ModeReadWrite
		default:
			mode = policy.ModeDynamic
		}
	}
	if !p.modeAllows(at, mode, d, " read_only: "+at.Value) {
		return
	}
	if p.aliased[item] > 0 {
		p.report(finding.Unsupported, src, false, "bind mount %s is anchored and used elsewhere; rofix does not edit shared values", src.Value)
		return
	}
	p.ch.AddKey(item, owner, "read_only", yamledit.Bool(true))
	p.report(finding.ROMounts, src, true, "read_only: true added to bind mount %s (%s)", src.Value, d.Reason)
}

// isNamedPipe reports a Windows named pipe source (\\.\pipe\name): the
// engine's API pipe is the Windows docker.sock, and :ro means nothing there.
func isNamedPipe(src string) bool {
	return strings.HasPrefix(strings.ReplaceAll(strings.ToLower(src), `/`, `\`), `\\.\pipe\`)
}

// scratch reports a mount on a path the container writes (/tmp, the
// image's tmpfs and state paths): it must stay writable, whatever
// --ro-mounts says.
func (p *planner) scratch(target string) bool {
	for _, path := range p.writable {
		if policy.CanonicalPath(target) == path {
			return true
		}
	}
	return false
}

// modeAllows reports whether a mount with the given mode may gain
// read-only under decision d, reporting the cases a human should know:
// an explicit writable mode where the policy would make it read-only, the
// engine socket, binds left writable.
func (p *planner) modeAllows(at *yaml.Node, mode policy.ModeState, d policy.Decision, written string) bool {
	if d.Warning != "" {
		p.report(finding.ROMounts, at, false, "%s", d.Warning)
	}
	switch mode {
	case policy.ModeReadOnly, policy.ModeOverlay:
		return false
	case policy.ModeReadWrite:
		if d.ReadOnly {
			p.report(finding.ROMounts, at, false, "%s is an explicit choice; kept writable", written[1:])
		}
		return false
	case policy.ModeDynamic:
		if d.ReadOnly {
			p.report(finding.ROMounts, at, false, "the mode comes from a variable; left as is")
		}
		return false
	}
	if !d.ReadOnly && p.pol.ROMounts == policy.ROMountsAuto {
		p.report(finding.ROMounts, at, false, "bind mount stays writable: %s; read_only does not cover mounts, add :ro if the container only reads it", d.Reason)
	}
	return d.ReadOnly
}
