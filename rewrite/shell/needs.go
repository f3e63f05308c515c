package shell

import (
	"strings"

	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/shellparse"
)

// This file locates what policy.Apply decides on for a run command: its
// image word, mounts, environment and user. The decisions are the
// policy's; the shell engine only reads them.

// decide returns what the policy gives the command's container.
func (p *planner) decide(s state) policy.Applied {
	inv := p.inv
	// An image word with variables reads as compose reads the same
	// reference: "nginx:${V:-1.27}" is nginx:1.27, "postgres:$TAG" is
	// postgres with an unknown tag, "$REG/app" is unknown.
	image := ""
	if inv.Image < len(inv.Words) {
		image = inv.Words[inv.Image].Value
		if !inv.Words[inv.Image].Static {
			image = inv.Words[inv.Image].Interp
		}
	}
	needs := p.pol.NeedsFor("", image)
	c := policy.Container{Env: map[string]string{}, EnvUnknown: len(inv.Hidden) > 0}
	for i, m := range s.mounts {
		c.Mounts = append(c.Mounts, policy.MountPoint{Target: m.target, Tmpfs: m.tmpfs, Options: m.opts, Ref: i})
	}
	for _, f := range inv.Flags {
		switch f.Name {
		case "env":
			name, val, hasVal := strings.Cut(f.Value, "=")
			switch {
			case strings.Contains(name, "${"):
				c.EnvUnknown = true
			case !hasVal || !f.Static:
				c.Env[name] = "" // from the host, or not known statically
			default:
				c.Env[name] = val
			}
		case "env-file":
			c.EnvUnknown = true
		case "user":
			if f.Static {
				c.User = f.Value
			}
		}
	}
	c.Role = p.role(s)
	if c.On = p.pol.OptIn(p.ig.Skips); len(c.On) > 0 {
		p.readPrivileges(s, &c)
	}
	if inv.Engine == shellparse.Podman {
		// podman 4.3 refuses uid= and gid= on --tmpfs ("unknown mount
		// option"); the tmpfs it mounts itself copies the image's
		// directories up, owners included.
		c.DropOptions = podmanRefuses
		if s.readOnlyTmpfs.state == policy.Absent || s.readOnlyTmpfs.state == policy.On {
			c.EngineTmpfs = podmanTmpfs // podman mounts them with --read-only
		}
	}
	return policy.Apply(needs, c)
}

// notes reports policy notes, each on the mount flag it is about or on the
// command, unless a directive ignores their rule.
func (p *planner) notes(s state, notes []policy.Note, start, end int) {
	for _, n := range notes {
		if p.ig.Skips(n.Rule) {
			continue
		}
		if n.Mount >= 0 && n.Mount < len(s.mounts) {
			p.report(n.Rule, s.mounts[n.Mount].flag, "%s", n.Text)
			continue
		}
		p.plan.Add(n.Rule, start, end, false, "%s", n.Text)
	}
}

// role reads how the script uses the command's container, for
// policy.Judge: privileged, platform and isolation, its binds, what it
// runs, -it, its working directory, and what the script does to it later.
func (p *planner) role(s state) policy.Role {
	inv := p.inv
	var r policy.Role
	interactive, tty, detach := false, false, false
	for _, f := range inv.Flags {
		switch f.Name {
		case "privileged":
			r.Privileged = r.Privileged || boolState(&f) == policy.On
		case "platform":
			r.Platform = f.Value
		case "isolation":
			r.Isolation = f.Value
		case "interactive":
			interactive = boolState(&f) == policy.On
		case "tty":
			tty = boolState(&f) == policy.On
		case "detach":
			detach = boolState(&f) == policy.On
		case "workdir":
			r.WorkDir = f.Value
		case "entrypoint":
			r.Command = append(r.Command, strings.Fields(f.Value)...)
		case "volume":
			if f.ValueWord >= 0 { // as written: a drive target the split misses (C:$(pwd):C:/code)
				r.Paths = append(r.Paths, inv.Words[f.ValueWord].Text(p.src))
			}
			if v, ok := policy.ParseVolume(f.Value); ok && policy.IsBindSource(v.Source) {
				r.Binds = append(r.Binds, policy.Bind{Source: v.Source, Target: v.Target})
			}
		case "mount":
			if m, ok := policy.ParseMountOpt(f.Value); ok && (m.Type == "bind" || m.Type == "npipe") {
				r.Binds = append(r.Binds, policy.Bind{Source: m.Source, Target: m.Target})
			}
		}
	}
	r.Interactive = interactive && tty && !detach // -itd only keeps a shell waiting
	if inv.Image < len(inv.Words) {
		for _, w := range inv.Words[inv.Image+1:] {
			r.Command = append(r.Command, w.Value)
		}
	}
	var targets []string
	for _, m := range s.mounts {
		targets = append(targets, m.target)
	}
	p.later.role(inv, targets, &r)
	return r
}
