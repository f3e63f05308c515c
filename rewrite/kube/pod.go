package kube

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/directive"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// container is one container of a pod spec being hardened.
type container struct {
	m      *yaml.Node // its mapping
	label  *yaml.Node // where its findings point: its name, else its mapping
	name   string
	image  string
	ig     directive.Ignore
	mounts *yaml.Node  // its volumeMounts value, or nil
	role   policy.Role // how the pod uses it, for policy.Judge
	// scratch are the paths that need an emptyDir mount.
	scratch []string
	// sc holds the securityContext keys to add.
	sc []scKey
	// podSC is the pod's securityContext (nil when it has none), for the
	// user the pod sets; nnp is true when the container has or gets
	// allowPrivilegeEscalation: false.
	podSC *yaml.Node
	nnp   bool
}

type scKey struct {
	key string
	val yamledit.Value
}

// pod hardens the containers and init containers of a pod spec.
func (p *planner) pod(spec *yaml.Node, kind string) {
	volumes := map[string]*yaml.Node{}
	volKey, vols := yamledit.Lookup(spec, "volumes")
	if vols != nil && vols.Kind == yaml.SequenceNode {
		for _, v := range vols.Content {
			if _, n := yamledit.Lookup(v, "name"); n != nil && n.Kind == yaml.ScalarNode {
				volumes[n.Value] = v
			}
		}
	}
	if os := windowsPod(spec); os != "" {
		p.at(finding.ReadOnly, spec.Content[0], "a Windows pod (%s): Windows containers have no read-only root filesystem and Kubernetes rejects these securityContext fields there; left unchanged", os)
		return
	}
	_, podSC := yamledit.Lookup(spec, "securityContext")
	var all []*container
	for _, key := range []string{"initContainers", "containers"} {
		_, list := yamledit.Lookup(spec, key)
		if list == nil || list.Kind != yaml.SequenceNode {
			continue
		}
		for _, m := range list.Content {
			if m.Kind != yaml.MappingNode || len(m.Content) == 0 {
				continue
			}
			if c := p.container(m, volumes, vols, podSC); c != nil {
				all = append(all, c)
			}
		}
	}
	// emptyDir volumes for the scratch paths, named after the path, with
	// the container's name in front when several containers need one.
	users := map[string]int{}
	for _, c := range all {
		for _, s := range c.scratch {
			users[s]++
		}
	}
	taken := map[string]bool{}
	for n := range volumes {
		taken[n] = true
	}
	var newVols []yamledit.Value
	for _, c := range all {
		var mounts []yamledit.Value
		for _, s := range c.scratch {
			name := volumeName(s)
			if users[s] > 1 && c.name != "" {
				name = c.name + "-" + name
			}
			name = unique(name, taken)
			taken[name] = true
			mounts = append(mounts, yamledit.Map("name", yamledit.Str(name), "mountPath", yamledit.Str(s)))
			newVols = append(newVols, yamledit.Map("name", yamledit.Str(name), "emptyDir", yamledit.Map()))
			p.fixed(finding.Tmpfs, c.label, "emptyDir volume %s mounted on %s in container %s", name, s, c.name)
		}
		indent := p.s.KeyColumn(c.m.Content[0])
		if len(mounts) > 0 {
			if c.mounts == nil {
				p.ch.AddKey(c.m, indent, "volumeMounts", yamledit.Seq(mounts...))
			} else {
				k, _ := yamledit.Lookup(c.m, "volumeMounts")
				for _, mt := range mounts {
					p.ch.AddItem(c.mounts, p.s.KeyColumn(k), mt)
				}
			}
		}
		if len(c.sc) == 0 {
			continue
		}
		scK, sc := yamledit.Lookup(c.m, "securityContext")
		if sc == nil {
			var kv []any
			for _, k := range c.sc {
				kv = append(kv, k.key, k.val)
			}
			p.ch.AddKey(c.m, indent, "securityContext", yamledit.Map(kv...))
			continue
		}
		for _, k := range c.sc {
			p.ch.AddKey(sc, p.s.KeyColumn(scK), k.key, k.val)
		}
	}
	if len(newVols) == 0 {
		return
	}
	if vols == nil {
		p.ch.AddKey(spec, p.s.KeyColumn(spec.Content[0]), "volumes", yamledit.Seq(newVols...))
		return
	}
	for _, v := range newVols {
		p.ch.AddItem(vols, p.s.KeyColumn(volKey), v)
	}
}

// windowsPod tells whether a pod spec runs on Windows (spec.os.name, a
// kubernetes.io/os node selector, or a container with a Windows image),
// and how it says so.
func windowsPod(spec *yaml.Node) string {
	_, osNode := yamledit.Lookup(spec, "os")
	if _, name := yamledit.Lookup(osNode, "name"); name != nil && strings.EqualFold(name.Value, "windows") {
		return "os.name: windows"
	}
	_, sel := yamledit.Lookup(spec, "nodeSelector")
	for _, key := range []string{"kubernetes.io/os", "beta.kubernetes.io/os"} {
		if _, v := yamledit.Lookup(sel, key); v != nil && strings.EqualFold(v.Value, "windows") {
			return "nodeSelector " + key + ": windows"
		}
	}
	// The containers of a pod share a node: one Windows image makes a
	// Windows pod (policy.Windows decides as for every engine).
	for _, key := range []string{"initContainers", "containers"} {
		_, list := yamledit.Lookup(spec, key)
		if list == nil || list.Kind != yaml.SequenceNode {
			continue
		}
		for _, m := range list.Content {
			if _, img := yamledit.Lookup(m, "image"); img != nil && img.Kind == yaml.ScalarNode {
				if why := policy.Windows(img.Value, policy.Role{}); why != "" {
					return why
				}
			}
		}
	}
	return ""
}

// container plans the changes to one container; nil when it is skipped.
func (p *planner) container(m *yaml.Node, volumes map[string]*yaml.Node, vols, podSC *yaml.Node) *container {
	c := &container{m: m, label: m, podSC: podSC}
	if _, n := yamledit.Lookup(m, "name"); n != nil && n.Kind == yaml.ScalarNode {
		c.name, c.label = n.Value, n
	}
	if _, img := yamledit.Lookup(m, "image"); img != nil && img.Kind == yaml.ScalarNode {
		c.image = img.Value
	}
	ig, found := p.s.Directive(m.Content[0])
	if found {
		if len(ig.Unknown) > 0 {
			optIn := "" // named once they are on: with them off the message stays as it was
			if len(p.pol.On) > 0 {
				optIn = "; opt-in: cap-drop, non-root"
			}
			p.at(finding.Directive, c.label, "unknown rule %q in rofix:ignore; the container is skipped (rules: read-only, tmpfs, no-new-privileges, ro-mounts%s)", strings.Join(ig.Unknown, ","), optIn)
		}
		if ig.All || ig.File {
			p.at(finding.Directive, c.label, "container %s skipped by rofix:ignore", c.name)
			return nil
		}
		p.at(finding.Directive, c.label, "some rules skipped for container %s by rofix:ignore", c.name)
	}
	// Rules a config file switches off are skipped like a directive's.
	c.ig = ig.Merge(directive.Ignore{Rules: p.pol.Off})
	_, c.mounts = yamledit.Lookup(m, "volumeMounts")
	_, sc := yamledit.Lookup(m, "securityContext")
	scOK := sc == nil || sc.Kind == yaml.MappingNode && (len(sc.Content) > 0 || sc.Style&yaml.FlowStyle != 0)
	if !scOK {
		p.at(finding.Unsupported, c.label, "the securityContext of container %s is not a mapping rofix can add to; harden it by hand", c.name)
	}
	_, privNode := yamledit.Lookup(sc, "privileged")
	c.role = policy.Role{Privileged: boolOf(privNode) == policy.On, Command: append(scalarItems(m, "command"), scalarItems(m, "args")...)}
	if _, wd := yamledit.Lookup(m, "workingDir"); wd != nil && wd.Kind == yaml.ScalarNode {
		c.role.WorkDir = wd.Value
	}
	if j := policy.Judge(c.image, c.role); j.Alone {
		// Not a service rofix hardens: no edit at all, said once.
		if !c.ig.Skips(finding.ReadOnly) {
			p.at(finding.ReadOnly, c.label, "container %s: %s", c.name, j.Reason)
		}
		if c.role.Privileged && !c.ig.Skips(finding.NoNewPrivileges) {
			p.at(finding.NoNewPrivileges, c.label, "container %s is privileged: allowPrivilegeEscalation: false not added (Kubernetes rejects it with privileged: true)", c.name)
		}
		return c
	}
	sysAdmin := addsSysAdmin(sc)
	_, esc := yamledit.Lookup(sc, "allowPrivilegeEscalation")
	c.nnp = boolOf(esc) == policy.Off || esc == nil && !sysAdmin && scOK && !c.ig.Skips(finding.NoNewPrivileges)
	applied, nodes := p.decide(c, sc, volumes)

	if !c.ig.Skips(finding.ReadOnly) || !c.ig.Skips(finding.Tmpfs) {
		p.readOnly(c, sc, scOK, vols, applied, nodes)
	}
	if !c.ig.Skips(finding.NoNewPrivileges) {
		p.noEscalation(c, sc, scOK, sysAdmin)
	}
	if !c.ig.Skips(finding.ROMounts) {
		p.roMounts(c, volumes)
	}
	p.privileges(c, sc, scOK, applied)
	return c
}

// readOnly plans readOnlyRootFilesystem: true and the scratch emptyDirs,
// as policy.Apply decides: it is withheld when the image does not run
// read-only, and the emptyDirs are Apply's tmpfs entries.
func (p *planner) readOnly(c *container, sc *yaml.Node, scOK bool, vols *yaml.Node, applied policy.Applied, nodes []*yaml.Node) {
	_, v := yamledit.Lookup(sc, "readOnlyRootFilesystem")
	state := boolOf(v)
	var missing []string
	for _, e := range applied.Tmpfs {
		missing = append(missing, policy.TmpfsTarget(e))
	}
	canMount := (c.mounts == nil || isList(c.mounts)) && (vols == nil || isList(vols))
	readOnly := false
	switch {
	case c.ig.Skips(finding.ReadOnly):
		readOnly = state == policy.On
	case state == policy.On:
		readOnly = true
	case state == policy.Off:
		p.at(finding.ReadOnly, v, "readOnlyRootFilesystem: false is an explicit choice; kept, so no emptyDir is added")
	case v != nil:
		p.at(finding.ReadOnly, v, "readOnlyRootFilesystem has a value rofix does not read as a boolean; left as is")
	case !applied.ReadOnly:
		// The image does not run read-only: say why, add nothing.
		p.notes(c, nodes, applied.ReadOnlyNotes)
	case !scOK:
	case len(missing) > 0 && !c.ig.Skips(finding.Tmpfs) && !canMount:
		p.at(finding.ReadOnly, c.label, "readOnlyRootFilesystem not added to container %s: rofix cannot add the emptyDir a read-only container needs here (volumeMounts or volumes is not a list it can append to)", c.name)
	default:
		c.sc = append(c.sc, scKey{"readOnlyRootFilesystem", yamledit.Bool(true)})
		p.fixed(finding.ReadOnly, c.label, "securityContext.readOnlyRootFilesystem: true added to container %s", c.name)
		readOnly = true
	}
	if !readOnly {
		return
	}
	p.notes(c, nodes, applied.ReadOnlyNotes)
	p.notes(c, nodes, applied.Notes)
	if c.ig.Skips(finding.Tmpfs) || len(missing) == 0 {
		return
	}
	if !canMount {
		p.at(finding.Tmpfs, c.label, "container %s is read-only but nothing is mounted on %s, and rofix cannot append to its volumeMounts or the pod's volumes; add an emptyDir by hand", c.name, strings.Join(missing, ", "))
		return
	}
	c.scratch = missing
}

// noEscalation plans allowPrivilegeEscalation: false.
func (p *planner) noEscalation(c *container, sc *yaml.Node, scOK, sysAdmin bool) {
	_, v := yamledit.Lookup(sc, "allowPrivilegeEscalation")
	switch state := boolOf(v); {
	case state == policy.Off:
	case state == policy.On:
		p.at(finding.NoNewPrivileges, v, "allowPrivilegeEscalation: true is an explicit choice; kept")
	case v != nil:
		p.at(finding.NoNewPrivileges, v, "allowPrivilegeEscalation has a value rofix does not read as a boolean; left as is")
	case sysAdmin:
		p.at(finding.NoNewPrivileges, c.label, "container %s adds SYS_ADMIN: allowPrivilegeEscalation: false not added (Kubernetes rejects it with CAP_SYS_ADMIN)", c.name)
	case !scOK:
	default:
		c.sc = append(c.sc, scKey{"allowPrivilegeEscalation", yamledit.Bool(false)})
		p.fixed(finding.NoNewPrivileges, c.label, "securityContext.allowPrivilegeEscalation: false added to container %s", c.name)
	}
}

// scalarItems returns the scalar items of the list under key in m
// (command, args).
func scalarItems(m *yaml.Node, key string) []string {
	_, v := yamledit.Lookup(m, key)
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil
	}
	var out []string
	for _, item := range v.Content {
		if item.Kind == yaml.ScalarNode {
			out = append(out, item.Value)
		}
	}
	return out
}
