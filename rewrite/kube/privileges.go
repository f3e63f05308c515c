package kube

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// This file is the Kubernetes side of the opt-in rules cap-drop and
// non-root: it reads a container's securityContext (capabilities,
// runAsUser, runAsGroup, runAsNonRoot; the pod's securityContext counts
// for the user) and writes what policy.Apply decides into the container's
// securityContext, in the file's style: capabilities: {drop: [ALL], add:
// [...]}, runAsUser, runAsGroup and runAsNonRoot: true. The decisions are
// the policy's.

// readPrivileges records on pc what the container and its pod say of its
// capabilities and user, whether it has or gets no-new-privileges, and
// the mounts on which the image's owner does not carry over.
func (p *planner) readPrivileges(c *container, sc *yaml.Node, volumes map[string]*yaml.Node, pc *policy.Container) {
	setting := func(key string) *yaml.Node {
		if _, v := yamledit.Lookup(sc, key); v != nil {
			return v
		}
		_, v := yamledit.Lookup(c.podSC, key)
		return v
	}
	uid, gid := setting("runAsUser"), setting("runAsGroup")
	switch {
	case uid != nil:
		pc.UserSet, pc.User = true, intText(uid)
		if gid != nil {
			pc.User += ":" + intText(gid)
		}
	case boolOf(setting("runAsNonRoot")) == policy.On:
		// The kubelet refuses to start it as root: some non-root user.
		pc.UserSet, pc.User = true, "non-root"
	}
	if _, caps := yamledit.Lookup(sc, "capabilities"); caps != nil {
		if caps.Kind != yaml.MappingNode {
			pc.CapsDynamic = true // null too: rofix cannot add to it
		}
		pc.CapAdd = capList(caps, "add", &pc.CapsDynamic)
		pc.CapDrop = capList(caps, "drop", &pc.CapsDynamic)
	}
	pc.NoNewPrivs = c.nnp
	if c.mounts == nil {
		return
	}
	for _, mt := range c.mounts.Content {
		_, name := yamledit.Lookup(mt, "name")
		_, mp := yamledit.Lookup(mt, "mountPath")
		if name == nil || mp == nil || name.Kind != yaml.ScalarNode || mp.Kind != yaml.ScalarNode {
			continue
		}
		if what := foreign(name.Value, volumes[name.Value]); what != "" {
			pc.ForeignMounts = append(pc.ForeignMounts, policy.Bind{Source: what, Target: mp.Value})
		}
	}
}

// foreign names a volume that does not get the owner of the image's
// directory it is mounted on ("the PersistentVolumeClaim data"), or ""
// for one that the container's user can write whatever it is (emptyDir,
// 0777) or that it only reads (configMap, secret, projected,
// downwardAPI). A name the pod's volumes lack is a StatefulSet's
// volumeClaimTemplates: a claim too.
func foreign(name string, vol *yaml.Node) string {
	if vol == nil {
		return "the volume " + name + " (a claim template, or not in the pod's volumes)"
	}
	for _, key := range []string{"emptyDir", "configMap", "secret", "projected", "downwardAPI"} {
		if k, _ := yamledit.Lookup(vol, key); k != nil {
			return ""
		}
	}
	if _, hp := yamledit.Lookup(vol, "hostPath"); hp != nil {
		if _, path := yamledit.Lookup(hp, "path"); path != nil && path.Kind == yaml.ScalarNode {
			return "the host directory " + path.Value
		}
	}
	if _, pvc := yamledit.Lookup(vol, "persistentVolumeClaim"); pvc != nil {
		if _, claim := yamledit.Lookup(pvc, "claimName"); claim != nil && claim.Kind == yaml.ScalarNode {
			return "the PersistentVolumeClaim " + claim.Value
		}
	}
	return "the volume " + name
}

// intText returns an integer scalar as written, or "$" (a value rofix
// cannot read) for anything else.
func intText(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		return n.Value
	}
	return "$"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// capList returns the items of capabilities.add or .drop as written (nil
// when absent); a value that is not a list of strings is dynamic.
func capList(caps *yaml.Node, key string, dynamic *bool) []string {
	_, v := yamledit.Lookup(caps, key)
	if v == nil || isNull(v) {
		return nil
	}
	out := []string{}
	if v.Kind != yaml.SequenceNode {
		*dynamic = true
		return out
	}
	for _, item := range v.Content {
		if item.Kind != yaml.ScalarNode {
			*dynamic = true
			continue
		}
		out = append(out, item.Value)
	}
	return out
}

// privileges plans the user and the capabilities policy.Apply decided,
// and reports the findings of the opt-in rules (those on only).
func (p *planner) privileges(c *container, sc *yaml.Node, scOK bool, a policy.Applied) {
	for _, n := range a.PrivNotes {
		switch {
		case !n.Fixed:
			p.at(n.Rule, c.label, "%s", n.Text)
			if n.Quiet {
				p.plan.Findings[len(p.plan.Findings)-1].Note = true
			}
		case !scOK:
			p.at(n.Rule, c.label, "not added to container %s, whose securityContext rofix cannot add to: %s", c.name, n.Text)
		case n.Rule == finding.NonRoot:
			// The container's own runAsGroup or runAsNonRoot, if any, is
			// kept (the policy adds a user only where it sets none).
			uid, gid, _ := strings.Cut(a.User, ":")
			var said []string
			for _, k := range []scKey{{"runAsUser", intValue(uid)}, {"runAsGroup", intValue(gid)}, {"runAsNonRoot", yamledit.Bool(true)}} {
				if kn, _ := yamledit.Lookup(sc, k.key); kn != nil || k.val.Scalar == "" {
					continue
				}
				c.sc = append(c.sc, k)
				said = append(said, k.key+": "+k.val.Scalar)
			}
			p.fixed(n.Rule, c.label, "securityContext.%s added to container %s: %s", strings.Join(said, ", "), c.name, n.Text)
		case n.Rule == finding.CapDrop:
			kv := []any{"drop", yamledit.Seq(yamledit.Str("ALL"))}
			said := "drop: [ALL]"
			if len(a.CapAdd) > 0 {
				var add []yamledit.Value
				for _, cp := range a.CapAdd {
					add = append(add, yamledit.Str(cp))
				}
				kv = append(kv, "add", yamledit.Seq(add...))
				said += ", add: [" + strings.Join(a.CapAdd, ", ") + "]"
			}
			caps := yamledit.Map(kv...)
			if capsK, capsN := yamledit.Lookup(sc, "capabilities"); capsN != nil {
				// An empty capabilities: {} is filled in.
				for i, k := range caps.Keys {
					p.ch.AddKey(capsN, p.s.KeyColumn(capsK), k, caps.Vals[i])
				}
			} else {
				c.sc = append(c.sc, scKey{"capabilities", caps})
			}
			p.fixed(n.Rule, c.label, "securityContext.capabilities {%s} added to container %s: %s", said, c.name, n.Text)
		}
	}
}

// intValue is an integer scalar to insert.
func intValue(s string) yamledit.Value {
	return yamledit.Value{Kind: yaml.ScalarNode, Scalar: s, Tag: "!!int"}
}
