package policy

// This file applies the per-service overrides of a config file (the
// services: section of .rofix.yaml) to what the image knowledge says.

// traitTmpfs are the tmpfs entries the generic traits stand for, when a
// service override names a trait.
var traitTmpfs = map[string]string{
	"s6":  "/run:exec", // s6-overlay executes its scripts from /run
	"jvm": "/tmp:exec", // the JVM maps native libraries it unpacks in /tmp
}

// overrideService merges the override for service, if any, over n, the
// needs of its image. The override is the most specific entry: it comes
// first in Entries; its tmpfs entries replace those at the same path; its
// volumes and no_tmpfs paths remove a tmpfs at that path (never a tmpfs on
// state or over files the image ships); its env settings replace those of
// the same name; its verdict, when set, replaces the image's (the author
// knows this service); its conditions become a note. A run command
// (service "") has no override.
func (p Policy) overrideService(service string, n Needs) Needs {
	o := p.Services[service]
	if service == "" || o == nil {
		return n
	}
	out := Needs{
		Image:   n.Image,
		Entries: append([]*ImageEntry{o}, n.Entries...),
		Tmpfs:   append([]string(nil), n.Tmpfs...),
		Volumes: append(append([]string(nil), n.Volumes...), o.Volumes...),
		NoTmpfs: append(append([]string(nil), n.NoTmpfs...), o.NoTmpfs...),
		Env:     append([]EnvSetting(nil), n.Env...),
		Verdict: n.Verdict,
		Notes:   append([]string(nil), n.Notes...),
	}
	add := func(entry string) {
		out.Tmpfs = withoutTarget(out.Tmpfs, TmpfsTarget(entry))
		out.Tmpfs = append(out.Tmpfs, entry)
	}
	for _, t := range o.Traits {
		if e, ok := traitTmpfs[t]; ok {
			add(e)
		}
	}
	for _, t := range o.Tmpfs {
		add(t)
	}
	for _, path := range append(append([]string(nil), o.Volumes...), o.NoTmpfs...) {
		out.Tmpfs = withoutTarget(out.Tmpfs, path)
	}
	for _, e := range o.Env {
		kept := out.Env[:0]
		for _, old := range out.Env {
			if old.Name != e.Name {
				kept = append(kept, old)
			}
		}
		out.Env = append(kept, e)
	}
	if o.Verdict != "" {
		out.Verdict = o.Verdict
	}
	if o.Conditions != "" {
		out.Notes = append(out.Notes, "service "+service+": "+o.Conditions)
	}
	return out
}

// withoutTarget returns the tmpfs entries whose path is not target.
func withoutTarget(entries []string, target string) []string {
	out := entries[:0]
	for _, e := range entries {
		if TmpfsTarget(e) != target {
			out = append(out, e)
		}
	}
	return out
}

// IsTrait reports whether name is a generic trait rofix knows.
func IsTrait(name string) bool {
	_, ok := traitTmpfs[name]
	return ok
}
