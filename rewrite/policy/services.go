package policy

// This file applies the per-service overrides of a config file (the
// services: section of .rofix.yaml) to what the image knowledge says.

import (
	"sort"
	"strings"
)

// overrideService merges the override for service, if any, over n, the
// needs of its image, with the rules Lookup uses to merge entries: its
// tmpfs entries and traits are merged with the image's (for an option set
// both ways, such as uid=, the override's value wins); its volumes and
// no_tmpfs paths are added and remove any tmpfs they forbid (its
// image_volumes are added; a state path stays optional only when neither
// side requires it); its env
// settings replace those of the same name; its user, caps, and run_as or
// needs_root replace the image's.
// A run command (service "") has no override.
//
// The override joins n.Entries only when it sets a verdict other than yes:
// that verdict replaces the image's (the author knows this service), with
// the override's checks, and is reported with its name and conditions. Otherwise Entries stay
// the image entries that matched, so Known still says whether the image is
// known (a build: is then read for an unknown one), and its conditions
// become a note.
func (p Policy) overrideService(service string, n Needs) Needs {
	o := p.Services[service]
	if service == "" || o == nil {
		return n
	}
	out := Needs{
		Image:   n.Image,
		Entries: n.Entries,
		Volumes: sortedSet(append(canonicalAll(o.Volumes), n.Volumes...)),
		NoTmpfs: sortedSet(append(canonicalAll(o.NoTmpfs), n.NoTmpfs...)),
		Verdict: n.Verdict,
		Notes:   append([]string(nil), n.Notes...),
		User:    n.User,
		Checks:  n.Checks,

		Resolved: n.Resolved,

		ImageVolumes: sortedSet(append(canonicalAll(o.ImageVolumes), n.ImageVolumes...)),
	}
	// A state path stays optional only if neither side requires it.
	for _, v := range out.Volumes {
		byImage, byOverride := contains(n.Volumes, v), contains(canonicalAll(o.Volumes), v)
		if (!byImage || contains(n.OptionalVolumes, v)) && (!byOverride || contains(canonicalAll(o.OptionalVolumes), v)) {
			out.OptionalVolumes = append(out.OptionalVolumes, v)
		}
	}
	var tmpfs []string
	for _, t := range o.Tmpfs {
		target, opts, _ := strings.Cut(t, ":")
		tmpfs = append(tmpfs, joinTmpfs(CanonicalPath(target), opts))
	}
	for _, t := range o.Traits {
		tmpfs = append(tmpfs, traitTmpfs[t])
	}
	for _, t := range mergeTmpfs(append(tmpfs, n.Tmpfs...)) {
		if keepTmpfs(TmpfsTarget(t), out.Volumes, out.NoTmpfs) {
			out.Tmpfs = append(out.Tmpfs, t)
		}
	}
	out.Env = append([]EnvSetting(nil), o.Env...)
	for _, e := range n.Env {
		if !hasEnv(o.Env, e.Name) {
			out.Env = append(out.Env, e)
		}
	}
	sort.SliceStable(out.Env, func(i, j int) bool { return out.Env[i].Name < out.Env[j].Name })
	if o.User != "" {
		out.User = o.User
	}
	out.Caps, out.CapsKnown, out.CapsFrom = n.Caps, n.CapsKnown, n.CapsFrom
	if o.Caps != nil {
		out.Caps, out.CapsKnown, out.CapsFrom = o.Caps, true, source(o)
	}
	out.RunAs, out.NeedsRoot, out.RunAsFrom = n.RunAs, n.NeedsRoot, n.RunAsFrom
	if o.RunAs != "" || o.NeedsRoot != "" {
		out.RunAs, out.NeedsRoot, out.RunAsFrom = o.RunAs, o.NeedsRoot, source(o)
	}
	switch {
	case o.Verdict != "" && o.Verdict != Works:
		out.Verdict, out.Checks = o.Verdict, o.Checks
		out.Entries = append([]*ImageEntry{o}, n.Entries...)
	case o.Verdict == Works:
		out.Verdict, out.Checks = Works, nil
		fallthrough
	default:
		if o.Conditions != "" {
			out.Notes = append(out.Notes, o.Name+": "+o.Conditions)
		}
	}
	return out
}

func hasEnv(env []EnvSetting, name string) bool {
	for _, e := range env {
		if e.Name == name {
			return true
		}
	}
	return false
}

// IsTrait reports whether name is a generic trait rofix knows.
func IsTrait(name string) bool { return traitTmpfs[name] != "" }
