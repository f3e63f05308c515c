package kube

import (
	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// This file locates what policy.Apply decides on for a container: its
// image, its volumeMounts and its environment. The decisions are the
// policy's (the same as for compose and shell); kube only reads them.

// decide returns what the policy gives container c (whose
// securityContext is sc), and the mount nodes its notes refer to (by
// MountPoint.Ref).
func (p *planner) decide(c *container, sc *yaml.Node, volumes map[string]*yaml.Node) (policy.Applied, []*yaml.Node) {
	needs := p.pol.NeedsFor("", c.image)
	// An emptyDir is mode 0777: whatever user runs, it can write there.
	pc := policy.Container{Env: map[string]string{}, Role: c.role, ScratchForAll: true}
	var nodes []*yaml.Node
	if c.mounts != nil {
		for _, mt := range c.mounts.Content {
			if _, mp := yamledit.Lookup(mt, "mountPath"); mp != nil && mp.Kind == yaml.ScalarNode {
				pc.Mounts = append(pc.Mounts, policy.MountPoint{Target: mp.Value, Ref: len(nodes)})
				nodes = append(nodes, mp)
			}
		}
	}
	_, env := yamledit.Lookup(c.m, "env")
	switch {
	case env == nil, env.Kind == yaml.ScalarNode && env.Tag == "!!null":
	case env.Kind == yaml.SequenceNode:
		for _, item := range env.Content {
			_, name := yamledit.Lookup(item, "name")
			if name == nil || name.Kind != yaml.ScalarNode {
				pc.EnvUnknown = true
				continue
			}
			pc.Env[name.Value] = "" // valueFrom: not known statically
			if _, val := yamledit.Lookup(item, "value"); val != nil && val.Kind == yaml.ScalarNode && val.Tag != "!!null" {
				pc.Env[name.Value] = val.Value
			}
		}
	default:
		pc.EnvUnknown = true
	}
	if k, _ := yamledit.Lookup(c.m, "envFrom"); k != nil {
		pc.EnvUnknown = true // a ConfigMap or Secret may set anything
	}
	if pc.On = p.pol.OptIn(c.ig.Skips); len(pc.On) > 0 {
		p.readPrivileges(c, sc, volumes, &pc)
	}
	return policy.Apply(needs, pc), nodes
}

// notes reports policy notes on a container, each on the mount it is
// about or on the container, unless the container ignores their rule.
func (p *planner) notes(c *container, nodes []*yaml.Node, notes []policy.Note) {
	for _, n := range notes {
		if c.ig.Skips(n.Rule) {
			continue
		}
		at := c.label
		if n.Mount >= 0 && n.Mount < len(nodes) {
			at = nodes[n.Mount]
		}
		p.at(n.Rule, at, "%s", n.Text)
	}
}
