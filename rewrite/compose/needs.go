package compose

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// This file locates what policy.Apply decides on: the service's image (or
// its build), its mounts, environment and user. The decisions are the
// policy's; compose only reads them.

// decide records on svc what its container needs and gets.
func (p *planner) decide(svc *service) {
	image := ""
	if _, v, _ := svc.winning("image"); v != nil && v.Kind == yaml.ScalarNode {
		image = v.Value
	}
	needs := p.pol.NeedsFor(svc.name, image)
	c := policy.Container{Env: map[string]string{}}
	svc.mountNodes = nil
	addMount := func(n *yaml.Node, target string, tmpfs bool, opts string) {
		c.Mounts = append(c.Mounts, policy.MountPoint{Target: target, Tmpfs: tmpfs, Options: opts, Ref: len(svc.mountNodes)})
		svc.mountNodes = append(svc.mountNodes, n)
	}
	for _, v := range svc.allValues("tmpfs") {
		for _, item := range itemNodes(v) {
			target, opts, _ := strings.Cut(item.Value, ":")
			addMount(item, target, true, opts)
		}
	}
	for _, v := range svc.allValues("volumes") {
		for _, item := range seqItems(v) {
			switch item.Kind {
			case yaml.ScalarNode:
				if vol, ok := policy.ParseVolume(item.Value); ok {
					addMount(item, vol.Target, false, "")
				}
			case yaml.MappingNode:
				_, t := lookup(item, "target")
				_, typ := lookup(item, "type")
				if t != nil && t.Kind == yaml.ScalarNode {
					addMount(t, t.Value, typ != nil && typ.Value == "tmpfs", "")
				}
			}
		}
	}
	targets, nodes := p.inheritedMounts(svc)
	for i, t := range targets {
		addMount(nodes[i], t, false, "")
	}
	for _, v := range svc.allValues("environment") {
		readEnv(v, c.Env)
	}
	if k, _, _ := svc.winning("env_file"); k != nil {
		c.EnvUnknown = true
	}
	if _, u, _ := svc.winning("user"); u != nil && u.Kind == yaml.ScalarNode {
		c.User = u.Value
	}
	if _, b, _ := svc.winning("build"); b != nil && !needs.Known() {
		var vols []policy.MountPoint
		var user string
		needs, vols, user, svc.buildNote = p.pol.NeedsForBuild(svc.name, needs, readBuild(b))
		c.Mounts = append(c.Mounts, vols...)
		if c.User == "" {
			c.User = user
		}
	}
	c.Role = svc.role()
	c.Role.WindowsSibling = p.windows
	if c.On = p.pol.OptIn(svc.ignore.Skips); len(c.On) > 0 {
		p.readPrivileges(svc, &c)
	}
	svc.applied = policy.Apply(needs, c)
}

// role reads how the file uses the service's container, for
// policy.Judge: privileged, platform and isolation, its binds, its
// entrypoint and command, stdin_open with tty, and its working_dir.
func (svc *service) role() policy.Role {
	var r policy.Role
	scalar := func(key string) *yaml.Node {
		if _, v, _ := svc.effective(key); v != nil && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
			return v
		}
		return nil
	}
	if v := scalar("privileged"); v != nil {
		r.Privileged = boolValue(v) == policy.On
	}
	if v := scalar("platform"); v != nil {
		r.Platform = v.Value
	}
	if v := scalar("isolation"); v != nil {
		r.Isolation = v.Value
	}
	if v := scalar("working_dir"); v != nil {
		r.WorkDir = v.Value
	}
	stdin, tty := scalar("stdin_open"), scalar("tty")
	r.Interactive = stdin != nil && tty != nil && boolValue(stdin) == policy.On && boolValue(tty) == policy.On
	for _, key := range []string{"entrypoint", "command"} {
		_, v, _ := svc.effective(key)
		if v != nil && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
			r.Command = append(r.Command, policy.ShellFields(v.Value)...)
		} else {
			r.Command = append(r.Command, stringItems(v)...)
		}
	}
	for _, v := range svc.allValues("volumes") {
		for _, item := range seqItems(v) {
			switch item.Kind {
			case yaml.ScalarNode:
				if vol, ok := policy.ParseVolume(item.Value); ok && policy.IsBindSource(vol.Source) {
					r.Binds = append(r.Binds, policy.Bind{Source: vol.Source, Target: vol.Target})
				}
			case yaml.MappingNode:
				_, typ := lookup(item, "type")
				_, src := lookup(item, "source")
				_, t := lookup(item, "target")
				if typ != nil && (typ.Value == "bind" || typ.Value == "npipe") && src != nil && t != nil {
					r.Binds = append(r.Binds, policy.Bind{Source: src.Value, Target: t.Value})
				}
			}
		}
	}
	return r
}

// readBuild reads a build: value, a context string or a mapping.
func readBuild(b *yaml.Node) policy.Build {
	if b.Kind == yaml.AliasNode && b.Alias != nil {
		b = b.Alias
	}
	var out policy.Build
	switch b.Kind {
	case yaml.ScalarNode:
		out.Context = b.Value
	case yaml.MappingNode:
		if _, v := lookup(b, "context"); v != nil && v.Kind == yaml.ScalarNode {
			out.Context = v.Value
		}
		if _, v := lookup(b, "dockerfile"); v != nil && v.Kind == yaml.ScalarNode {
			out.Dockerfile = v.Value
		}
		if _, v := lookup(b, "dockerfile_inline"); v != nil && v.Kind == yaml.ScalarNode {
			out.Inline, out.HasInline = v.Value, true
		}
		if _, v := lookup(b, "args"); v != nil {
			out.Args = map[string]string{}
			readEnv(v, out.Args)
			for k, val := range out.Args {
				if val == "" || strings.Contains(val, "$") {
					delete(out.Args, k) // not known statically: the default stands
				}
			}
		}
	}
	return out
}

// readEnv reads an environment (or args) value, a mapping or a list of
// NAME=VALUE, into env; a value not known statically is "".
func readEnv(v *yaml.Node, env map[string]string) {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], v.Content[i+1]
			if k.Kind != yaml.ScalarNode || isMergeKey(k) {
				continue
			}
			env[k.Value] = ""
			if val.Kind == yaml.ScalarNode && val.Tag != "!!null" {
				env[k.Value] = val.Value
			}
		}
	case yaml.SequenceNode:
		for _, item := range itemNodes(v) {
			name, val, _ := strings.Cut(item.Value, "=")
			env[name] = val
		}
	}
}

// seqItems returns the items of a list value, aliases resolved.
func seqItems(v *yaml.Node) []*yaml.Node {
	if v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil
	}
	var out []*yaml.Node
	for _, item := range v.Content {
		if item.Kind == yaml.AliasNode {
			item = item.Alias
		}
		if item != nil {
			out = append(out, item)
		}
	}
	return out
}

// notes reports policy notes on a service, each on the mount it is about
// or on the service's key, unless the service ignores their rule.
func (p *planner) notes(svc *service, notes []policy.Note) {
	for _, n := range notes {
		if svc.ignore.Skips(n.Rule) {
			continue
		}
		at := svc.key
		if n.Mount >= 0 && n.Mount < len(svc.mountNodes) {
			at = svc.mountNodes[n.Mount]
		}
		p.report(n.Rule, at, false, "%s", n.Text)
	}
}

// buildNotes reports what was learned (or not) from a Dockerfile.
func (p *planner) buildNotes(svc *service) {
	if svc.buildNote != "" && !svc.ignore.Skips(finding.Tmpfs) {
		p.report(finding.Tmpfs, svc.key, false, "%s", svc.buildNote)
	}
}
