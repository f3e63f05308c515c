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
