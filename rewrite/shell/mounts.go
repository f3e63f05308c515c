package shell

import (
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/shellparse"
)

// mounts plans read-only modes for the binds of -v/--volume and --mount.
// Named and anonymous volumes, explicit modes (ro, rw, readonly=false) and
// modes that come from variables are left as they are.
func (p *planner) mounts() {
	for i := range p.inv.Flags {
		f := &p.inv.Flags[i]
		if f.ValueWord < 0 {
			continue
		}
		switch f.Name {
		case "volume":
			p.volume(f)
		case "mount":
			p.mount(f)
		}
	}
}

func (p *planner) volume(f *shellparse.Flag) {
	v, ok := policy.ParseVolume(f.Value)
	if !ok || !policy.IsBindSource(v.Source) {
		return
	}
	m := policy.Mount{Source: v.Source, Target: v.Target, Bind: true}
	switch policy.ClassifyMode(v.Mode) {
	case policy.ModeDefault:
		d := p.pol.Decide(m)
		if !d.ReadOnly {
			return
		}
		p.appendTo(f, policy.AppendRO(v))
		p.fixed(f, d, "bind mount %s made read-only (%s)", p.flagText(f), d.Reason)
	case policy.ModeReadWrite:
		if d := p.pol.Decide(m); d.ReadOnly {
			p.report(finding.ROMounts, f, "%s is explicitly read-write: kept", p.flagText(f))
		}
	}
}

func (p *planner) mount(f *shellparse.Flag) {
	m, ok := policy.ParseMountOpt(f.Value)
	if !ok || m.Type != "bind" {
		return
	}
	pm := policy.Mount{Source: m.Source, Target: m.Target, Bind: true}
	switch m.ReadOnly {
	case policy.Absent:
		d := p.pol.Decide(pm)
		if !d.ReadOnly {
			return
		}
		p.appendTo(f, ",readonly")
		p.fixed(f, d, "bind mount %s made read-only (%s)", p.flagText(f), d.Reason)
	case policy.Off:
		if d := p.pol.Decide(pm); d.ReadOnly {
			p.report(finding.ROMounts, f, "%s is explicitly read-write: kept", p.flagText(f))
		}
	}
}

// fixed records a fixed ro-mounts finding, and the decision's warning.
func (p *planner) fixed(f *shellparse.Flag, d policy.Decision, format string, args ...any) {
	start, end := p.flagSpan(f)
	p.plan.Add(finding.ROMounts, start, end, true, format, args...)
	if d.Warning != "" {
		p.plan.Add(finding.ROMounts, start, end, false, "%s", d.Warning)
	}
}
