package policy

// This file answers what one image needs (Knowledge.Lookup): it merges the
// matched entries with the generic rules (/tmp for every read-only
// container, the traits) into canonical, deduplicated, sorted lists.

import (
	"path"
	"slices"
	"sort"
	"strings"
)

// traitTmpfs is the tmpfs each trait adds: s6-overlay runs its init from
// /run, so /run must allow exec; a JVM loads native libraries (JNA,
// netty-tcnative, snappy) from /tmp.
var traitTmpfs = map[string]string{"s6": "/run:exec", "jvm": "/tmp:exec"}

// Lookup returns what a container of image needs to run read-only. An
// unknown image (or one whose name comes from a variable without a
// default) needs a tmpfs on /tmp and nothing else. The answer is
// remembered per image: its slices are shared and must not be modified.
func (k *Knowledge) Lookup(image string) Needs {
	if n, ok := k.memo.Load(image); ok {
		return n.(Needs)
	}
	n := k.lookup(image)
	k.memo.Store(image, n)
	return n
}

// lookup computes what Lookup answers.
func (k *Knowledge) lookup(image string) Needs { return k.lookupAt(image, 0) }

// maxFrom bounds a chain of from: (the table test refuses cycles; a
// config file's entries may still make one).
const maxFrom = 8

// lookupAt is lookup for an image named depth from: steps away from the
// container's.
func (k *Knowledge) lookupAt(image string, depth int) Needs {
	n := Needs{Image: image, Verdict: Works}
	ref := ParseImageRef(image)
	type hit struct {
		e     *ImageEntry
		score int
	}
	var hits []hit
	for _, e := range k.Entries {
		best := 0
		for _, p := range e.Match {
			best = max(best, matchPattern(p, ref))
		}
		if best > 0 {
			hits = append(hits, hit{e, best})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	var entries []*ImageEntry
	seen := map[string]bool{} // an entry applies once (from: may come back to it)
	for _, h := range hits {
		eff, r, base := k.resolve(h.e, ref, depth)
		for _, e := range eff {
			if !seen[e.Name] {
				seen[e.Name] = true
				entries = append(entries, e)
			}
		}
		if r.Version != "" || r.From != "" {
			n.Resolved = append(n.Resolved, r)
		}
		n.Resolved = append(n.Resolved, base...)
		if strings.Contains(r.Note, " is newer than ") {
			n.Notes = append(n.Notes, r.Note)
		}
	}

	app := path.Base(ref.Name) // for {name}
	at := func(p string) string { return CanonicalPath(strings.ReplaceAll(p, "{name}", app)) }
	tmpfs := []string{"/tmp"}
	env := map[string]bool{}
	required := map[string]bool{} // state paths some entry requires
	for _, e := range entries {
		n.Entries = append(n.Entries, e)
		for _, t := range e.Tmpfs {
			target, opts, _ := strings.Cut(t, ":")
			tmpfs = append(tmpfs, joinTmpfs(at(target), opts))
		}
		for _, t := range e.Traits {
			tmpfs = append(tmpfs, traitTmpfs[t])
		}
		for _, v := range e.Volumes {
			n.Volumes = append(n.Volumes, at(v))
			if !slices.Contains(e.OptionalVolumes, v) {
				required[at(v)] = true
			}
		}
		for _, v := range e.ImageVolumes {
			n.ImageVolumes = append(n.ImageVolumes, at(v))
		}
		for _, v := range e.NoTmpfs {
			n.NoTmpfs = append(n.NoTmpfs, at(v))
		}
		for _, s := range e.Env {
			if !env[s.Name] {
				env[s.Name] = true
				n.Env = append(n.Env, s)
			}
		}
		if verdictRank[e.Verdict] > verdictRank[n.Verdict] {
			n.Verdict = e.Verdict
		}
		if n.User == "" {
			n.User = e.User
		}
		// The most specific entry that knows the capabilities, or whether
		// the image runs as non-root, says it.
		if !n.CapsKnown && e.Caps != nil {
			n.Caps, n.CapsKnown, n.CapsFrom = e.Caps, true, source(e)
		}
		if n.RunAs == "" && n.NeedsRoot == "" && (e.RunAs != "" || e.NeedsRoot != "") {
			n.RunAs, n.NeedsRoot, n.RunAsFrom = e.RunAs, e.NeedsRoot, source(e)
		}
		if e.Verdict == WorksWithConditions {
			n.Checks = append(n.Checks, e.Checks...)
		}
		if e.Verdict != Works && e.Conditions != "" {
			n.Notes = append(n.Notes, e.Name+": "+e.Conditions)
		}
	}
	n.Volumes = sortedSet(n.Volumes)
	n.ImageVolumes = sortedSet(n.ImageVolumes)
	for _, v := range n.Volumes {
		if !required[v] {
			n.OptionalVolumes = append(n.OptionalVolumes, v)
		}
	}
	n.NoTmpfs = sortedSet(n.NoTmpfs)
	for _, t := range mergeTmpfs(tmpfs) {
		if keepTmpfs(TmpfsTarget(t), n.Volumes, n.NoTmpfs) {
			n.Tmpfs = append(n.Tmpfs, t)
		}
	}
	sort.SliceStable(n.Env, func(i, j int) bool { return n.Env[i].Name < n.Env[j].Name })
	return n
}

// CanonicalPath cleans an absolute path and resolves the symlinks every
// common base image has: /var/run is /run, /var/lock is /run/lock. A tmpfs
// aimed at the symlink fails (or lands beside the directory the program
// uses), so rofix only ever writes the canonical path.
func CanonicalPath(p string) string {
	p = path.Clean(p)
	for _, link := range [][2]string{{"/var/run", "/run"}, {"/var/lock", "/run/lock"}} {
		if p == link[0] || strings.HasPrefix(p, link[0]+"/") {
			return link[1] + p[len(link[0]):]
		}
	}
	return p
}

func canonicalAll(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = CanonicalPath(p)
	}
	return out
}

// keepTmpfs reports whether a tmpfs may go at target: not on or under a
// state path (its data would die with the container) and not on, under or
// above a path the image ships files into (the tmpfs would hide them).
func keepTmpfs(target string, volumes, noTmpfs []string) bool {
	for _, v := range volumes {
		if within(target, v) {
			return false
		}
	}
	for _, v := range noTmpfs {
		if within(target, v) || within(v, target) {
			return false
		}
	}
	return true
}

// within reports whether p is dir or lies under it.
func within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// mergeTmpfs merges entries for the same path into one, sorted by path:
// the options of all of them, each option once ("/tmp" and "/tmp:exec"
// make "/tmp:exec"); for an option given twice with different values
// (uid=1, uid=2) the first wins.
func mergeTmpfs(entries []string) []string {
	opts := map[string][]string{}
	var paths []string
	for _, e := range entries {
		target, o, _ := strings.Cut(e, ":")
		if _, seen := opts[target]; !seen {
			paths = append(paths, target)
			opts[target] = nil
		}
		for _, opt := range strings.Split(o, ",") {
			if opt != "" && !slices.ContainsFunc(opts[target], func(have string) bool { return optionKey(have) == optionKey(opt) }) {
				opts[target] = append(opts[target], opt)
			}
		}
	}
	sort.Strings(paths)
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = joinTmpfs(p, strings.Join(opts[p], ","))
	}
	return out
}

// optionKey names what a mount option sets: "uid" for uid=1000, "exec" for
// both exec and noexec (they contradict each other).
func optionKey(opt string) string {
	key, _, _ := strings.Cut(opt, "=")
	switch key {
	case "noexec", "nosuid", "nodev":
		return key[2:]
	}
	return key
}

func joinTmpfs(target, opts string) string {
	if opts == "" {
		return target
	}
	return target + ":" + opts
}

// sortedSet returns the distinct strings of s, sorted.
func sortedSet(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
