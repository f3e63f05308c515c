package kube

import (
	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// roMounts plans readOnly: true on the hostPath mounts the policy picks.
func (p *planner) roMounts(c *container, volumes map[string]*yaml.Node) {
	if c.mounts == nil || c.mounts.Kind != yaml.SequenceNode {
		return
	}
	for _, mt := range c.mounts.Content {
		if mt.Kind != yaml.MappingNode {
			continue
		}
		_, name := yamledit.Lookup(mt, "name")
		_, target := yamledit.Lookup(mt, "mountPath")
		if name == nil || target == nil {
			continue
		}
		_, hp := yamledit.Lookup(volumes[name.Value], "hostPath")
		_, src := yamledit.Lookup(hp, "path")
		if src == nil || src.Kind != yaml.ScalarNode {
			continue
		}
		_, ro := yamledit.Lookup(mt, "readOnly")
		switch boolOf(ro) {
		case policy.On:
			continue
		case policy.Off:
			p.at(finding.ROMounts, ro, "readOnly: false on the hostPath mount of %s is an explicit choice; kept", src.Value)
			continue
		}
		if ro != nil {
			p.at(finding.ROMounts, ro, "readOnly has a value rofix does not read as a boolean; left as is")
			continue
		}
		_, typ := yamledit.Lookup(hp, "type")
		kind, created := hostPathKind(typ)
		d := p.pol.Decide(policy.Mount{Source: src.Value, Target: target.Value, Bind: true, Kind: kind, Created: created})
		if d.Warning != "" {
			p.at(finding.ROMounts, target, "%s", d.Warning)
		}
		if !d.ReadOnly {
			p.at(finding.ROMounts, target, "hostPath %s stays writable: %s", src.Value, d.Reason)
			continue
		}
		if !isAppendable(mt) {
			p.at(finding.ROMounts, target, "cannot add readOnly: true to this mount; add it by hand")
			continue
		}
		p.ch.AddKey(mt, p.s.KeyColumn(mt.Content[0]), "readOnly", yamledit.Bool(true))
		p.fixed(finding.ROMounts, target, "readOnly: true added to the hostPath mount of %s (%s)", src.Value, d.Reason)
	}
}

// hostPathKind reads a hostPath's type: File and FileOrCreate are a file,
// Directory and DirectoryOrCreate a directory; the OrCreate types create
// the path empty when it is missing, for the container to write. Sockets
// and devices are neither: they are no configuration to make read-only.
func hostPathKind(typ *yaml.Node) (kind policy.PathKind, created bool) {
	if typ == nil || typ.Kind != yaml.ScalarNode {
		return policy.PathUnknown, false
	}
	switch typ.Value {
	case "File":
		return policy.PathFile, false
	case "FileOrCreate":
		return policy.PathFile, true
	case "Directory":
		return policy.PathDir, false
	case "DirectoryOrCreate":
		return policy.PathDir, true
	}
	return policy.PathUnknown, false
}
