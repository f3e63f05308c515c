package policy

// This file resolves a matched entry for one image reference: the facts of
// the tag ranges its tag falls in, and those inherited from the image it
// is built FROM.

import (
	"slices"
	"strings"
)

// A Resolution says how a matched entry was resolved for an image: which
// version its tag stands for, which tag ranges applied, and which base
// image's entries it inherited.
type Resolution struct {
	// Entry is the name of the matched entry.
	Entry string
	// Version is the version the tag stands for ("" when the entry knows
	// no versions); Note says how it was found (see TagResolution).
	Version, Note string
	// Ranges are the Versions of the tag ranges that applied.
	Ranges []string
	// From is the base image looked up (ImageEntry.From with the version
	// put in), Base the names of the base's entries inherited.
	From string
	Base []string
}

// resolve returns the entries that apply to an image ref matched by e:
// e with the facts of its tag ranges for ref's tag, then the entries of
// its base image less the facts e unsets (Inherited set to e's name);
// with how e was resolved, and how the base's entries were. e itself is
// returned when nothing is to resolve.
func (k *Knowledge) resolve(e *ImageEntry, ref ImageRef, depth int) ([]*ImageEntry, Resolution, []Resolution) {
	r := Resolution{Entry: e.Name}
	if e.Latest == "" && len(e.Ranges) == 0 && e.TagVersion == "" && e.From == "" {
		return []*ImageEntry{e}, r, nil
	}
	tr := e.resolveTag(ref.Name, ref.Tag)
	r.Version, r.Note = tr.Version, tr.Note
	eff := e
	if v, ok := parseVersion(tr.Version); ok && len(e.Ranges) > 0 {
		eff = e.clone()
		eff.Ranges = nil
		for _, rg := range e.Ranges {
			if in, _ := inRange(v, rg.Versions); in {
				r.Ranges = append(r.Ranges, rg.Versions)
				eff.add(rg)
			}
		}
	}
	out := []*ImageEntry{eff}
	if e.From == "" || depth >= maxFrom {
		return out, r, nil
	}
	r.From = e.From
	if strings.HasSuffix(r.From, ":{version}") {
		r.From = strings.TrimSuffix(r.From, "{version}") + tr.Version
		r.From = strings.TrimSuffix(r.From, ":")
	}
	base := k.lookupAt(r.From, depth+1)
	for _, b := range base.Entries {
		c := b.clone()
		c.drop(e.Unset)
		if e.Verdict != "" {
			c.Verdict, c.Checks = e.Verdict, nil
		}
		c.Inherited = e.Name
		r.Base = append(r.Base, b.Name)
		out = append(out, c)
	}
	if eff.Verdict == "" && len(out) == 1 {
		eff = eff.clone()
		eff.Verdict = Works
		out[0] = eff
	}
	return out, r, base.Resolved
}

// add adds the facts of a tag range to e: its lists to e's, its user,
// caps, run_as or needs_root, verdict and checks in place of e's, its
// conditions after e's.
func (e *ImageEntry) add(r *ImageEntry) {
	e.Tmpfs = append(e.Tmpfs, r.Tmpfs...)
	e.Volumes = append(e.Volumes, r.Volumes...)
	e.ImageVolumes = append(e.ImageVolumes, r.ImageVolumes...)
	e.OptionalVolumes = append(e.OptionalVolumes, r.OptionalVolumes...)
	e.NoTmpfs = append(e.NoTmpfs, r.NoTmpfs...)
	e.Env = append(e.Env, r.Env...)
	e.Traits = append(e.Traits, r.Traits...)
	if r.User != "" {
		e.User = r.User
	}
	if r.Caps != nil {
		e.Caps = r.Caps
	}
	if r.RunAs != "" || r.NeedsRoot != "" {
		e.RunAs, e.NeedsRoot = r.RunAs, r.NeedsRoot
	}
	if r.Verdict != "" {
		e.Verdict, e.Checks = r.Verdict, nil
	}
	e.Checks = append(e.Checks, r.Checks...)
	if r.Conditions != "" {
		e.Conditions = strings.TrimSpace(e.Conditions + " " + r.Conditions)
	}
	for k, ev := range r.Evidence {
		if e.Evidence == nil {
			e.Evidence = map[string][]string{}
		}
		e.Evidence[k] = append(slices.Clone(e.Evidence[k]), ev...)
	}
}

// drop removes the facts named by keys (FactKey, and "caps" for every
// capability) from e.
func (e *ImageEntry) drop(keys []string) {
	if len(keys) == 0 {
		return
	}
	gone := func(kind string) func(string) bool {
		return func(v string) bool { return slices.Contains(keys, FactKey(kind, v)) }
	}
	e.Tmpfs = slices.DeleteFunc(e.Tmpfs, gone("tmpfs"))
	e.Volumes = slices.DeleteFunc(e.Volumes, gone("volume"))
	e.ImageVolumes = slices.DeleteFunc(e.ImageVolumes, gone("image_volume"))
	e.OptionalVolumes = slices.DeleteFunc(e.OptionalVolumes, gone("volume"))
	e.NoTmpfs = slices.DeleteFunc(e.NoTmpfs, gone("no_tmpfs"))
	e.Traits = slices.DeleteFunc(e.Traits, gone("trait"))
	e.Env = slices.DeleteFunc(e.Env, func(s EnvSetting) bool { return slices.Contains(keys, FactKey("env", s.Name)) })
	if slices.Contains(keys, FactKey("user", "")) {
		e.User = ""
	}
	if slices.Contains(keys, "caps") {
		e.Caps = nil
	} else if e.Caps != nil {
		e.Caps = slices.DeleteFunc(e.Caps, gone("cap"))
	}
	if slices.Contains(keys, FactKey("run_as", "")) {
		e.RunAs = ""
	}
	if slices.Contains(keys, FactKey("needs_root", "")) {
		e.NeedsRoot = ""
	}
}
