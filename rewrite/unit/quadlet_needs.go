package unit

import (
	"strings"

	"github.com/rofix/rofix/rewrite/policy"
)

// This file locates what policy.Apply decides on for a .container unit:
// its image, its Volume=, Tmpfs= and Mount= settings, its environment and
// user. The decisions are the policy's (the same as for compose and
// shell); the Quadlet engine only reads them.

// podmanTmpfs are the paths podman mounts a tmpfs on by itself when a
// container is read-only (ReadOnlyTmpfs=true, podman's default).
var podmanTmpfs = []string{"/tmp", "/var/tmp", "/run"}

// podmanRefuses are the tmpfs options podman 4.3 does not accept on
// --tmpfs, which Tmpfs= becomes.
var podmanRefuses = []string{"uid", "gid"}

// decide returns what the policy gives the unit's container; the Ref of a
// mount is its index in q.mountEntries.
func (q *quadlet) decide(image string, pa podmanArgs) policy.Applied {
	c := policy.Container{Env: map[string]string{}, DropOptions: podmanRefuses}
	q.mountEntries = nil
	addMount := func(e *entry, target string, tmpfs bool, opts string) {
		c.Mounts = append(c.Mounts, policy.MountPoint{Target: target, Tmpfs: tmpfs, Options: opts, Ref: len(q.mountEntries)})
		q.mountEntries = append(q.mountEntries, e)
	}
	for _, e := range q.u.in("Container", "Tmpfs") {
		target, opts, _ := strings.Cut(q.u.value(e), ":")
		addMount(e, target, true, opts)
	}
	for _, e := range q.u.in("Container", "Volume") {
		if v, ok := policy.ParseVolume(q.u.value(e)); ok {
			addMount(e, v.Target, false, "")
		}
	}
	for _, e := range q.u.in("Container", "Mount") {
		if target, tmpfs := mountTarget(q.u.value(e)); target != "" {
			addMount(e, target, tmpfs, "")
		}
	}
	// PodmanArgs= mounts are reported on the last PodmanArgs= setting.
	for _, m := range pa.mounts {
		addMount(q.last("PodmanArgs"), m.target, m.tmpfs, m.opts)
	}
	for _, e := range q.u.in("Container", "Environment") {
		for _, w := range envWords(q.u.value(e)) {
			name, val, _ := strings.Cut(w, "=")
			if strings.Contains(val, "%") || strings.Contains(val, "$") {
				val = "" // a specifier or variable: not known statically
			}
			c.Env[name] = val
		}
	}
	for name, val := range pa.env {
		c.Env[name] = val
	}
	if len(q.u.in("Container", "EnvironmentFile")) > 0 || len(q.u.in("Container", "EnvironmentHost")) > 0 || pa.envUnknown {
		c.EnvUnknown = true
	}
	if e := q.last("User"); e != nil {
		c.User = q.u.value(e)
	}
	if pa.user != "" {
		c.User = pa.user // Quadlet puts PodmanArgs= after its own flags
	}
	if e := q.last("ReadOnlyTmpfs"); (e == nil || boolOf(q.u.value(e)) != policy.Off) && !pa.noEngineTmpfs {
		c.EngineTmpfs = podmanTmpfs
	}
	c.Role = q.role(pa)
	if c.On = q.pol.OptIn(q.ig.Skips); len(c.On) > 0 {
		q.readPrivileges(pa, &c)
	}
	return policy.Apply(q.pol.NeedsFor("", image), c)
}

// role reads how the unit uses its container, for policy.Judge:
// --privileged and --platform in PodmanArgs=, its Volume= binds, Exec=
// and WorkingDir=.
func (q *quadlet) role(pa podmanArgs) policy.Role {
	r := policy.Role{Privileged: pa.privileged, Platform: pa.platform, WorkDir: pa.workdir}
	for _, e := range q.u.in("Container", "Volume") {
		if v, ok := policy.ParseVolume(q.u.value(e)); ok && policy.IsBindSource(v.Source) {
			r.Binds = append(r.Binds, policy.Bind{Source: v.Source, Target: v.Target})
		}
	}
	if e := q.last("Entrypoint"); e != nil {
		r.Command = append(r.Command, envWords(q.u.value(e))...)
	}
	if e := q.last("Exec"); e != nil {
		r.Command = append(r.Command, envWords(q.u.value(e))...)
	}
	if e := q.last("WorkingDir"); e != nil && r.WorkDir == "" {
		r.WorkDir = q.u.value(e)
	}
	return r
}

// notes reports policy notes, each on the setting of the mount it is about
// or on the [Container] header, unless a directive ignores their rule.
func (q *quadlet) notes(notes []policy.Note) {
	for _, n := range notes {
		if q.ig.Skips(n.Rule) {
			continue
		}
		if n.Mount >= 0 && n.Mount < len(q.mountEntries) {
			e := q.mountEntries[n.Mount]
			q.plan.Add(n.Rule, e.keyAt, e.lineEnd, false, "%s", n.Text)
			continue
		}
		q.plan.Add(n.Rule, q.at, q.at, false, "%s", n.Text)
	}
}

// mountTarget reads the destination of a Mount= value
// ("type=bind,source=/a,destination=/b") and whether it is a tmpfs.
func mountTarget(v string) (target string, tmpfs bool) {
	for _, opt := range strings.Split(v, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(opt), "=")
		switch strings.ToLower(k) {
		case "type":
			tmpfs = val == "tmpfs" || val == "ramfs"
		case "destination", "dst", "target":
			target = val
		}
	}
	return target, tmpfs
}

// envWords splits an Environment= value into its NAME=VALUE words the way
// systemd does: separated by spaces, each word optionally quoted.
func envWords(v string) []string {
	var out []string
	var b strings.Builder
	quote, in := byte(0), false
	for i := 0; i < len(v); i++ {
		ch := v[i]
		switch {
		case quote != 0 && ch == quote:
			quote = 0
		case quote != 0:
			b.WriteByte(ch)
		case ch == '"' || ch == '\'':
			quote, in = ch, true
		case ch == ' ' || ch == '\t':
			if in {
				out = append(out, b.String())
				b.Reset()
				in = false
			}
		default:
			b.WriteByte(ch)
			in = true
		}
	}
	if in {
		out = append(out, b.String())
	}
	return out
}
