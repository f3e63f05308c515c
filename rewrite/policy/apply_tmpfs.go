package policy

import (
	"path"
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
)

// This file is Apply's tmpfs decision: which entries a container gets,
// and what to say about the ones it already has.

// tmpfs decides the entries to add (see Apply).
func (ap *applier) tmpfs() {
	c := ap.c
	for _, m := range c.Mounts {
		if m.Tmpfs && onSymlink(m.Target) {
			ap.note(finding.Tmpfs, m.Ref, "tmpfs on %s: %s is a symlink in most images and a tmpfs on it fails; write %s",
				m.Target, strings.Join(strings.Split(path.Clean(m.Target), "/")[:3], "/"), CanonicalPath(m.Target))
		}
	}
	var canonical []string
	for _, e := range ap.n.Tmpfs {
		target, opts, _ := strings.Cut(e, ":")
		canonical = append(canonical, joinTmpfs(CanonicalPath(target), opts))
	}
	entries := mergeTmpfs(canonical)
	dropped := make([][]string, len(entries))
	for i, e := range entries {
		entries[i], dropped[i] = dropOptions(e, c.DropOptions)
	}
	for i, e := range entries {
		p, opts, _ := strings.Cut(e, ":")
		ap.a.Writable = append(ap.a.Writable, p)
		switch m := ap.covered(p); {
		case m != nil:
			if m.Tmpfs && CanonicalPath(m.Target) == p {
				if missing := missingOptions(opts, m.Options); missing != "" {
					ap.note(finding.Tmpfs, m.Ref, "the tmpfs on %s lacks %s, which %s needs: write %s", m.Target, missing, ap.label,
						joinTmpfs(m.Target, strings.Trim(m.Options+","+missing, ",")))
				}
			}
		case conflicts(p, ap.state) != "":
			ap.note(finding.Tmpfs, -1, "no tmpfs on %s: %s is a state path of %s and needs a volume", p, conflicts(p, ap.state), ap.label)
		case conflicts(p, ap.noTmpfs) != "":
			ap.note(finding.Tmpfs, -1, "no tmpfs on %s: %s ships files in %s that a tmpfs would hide", p, ap.label, conflicts(p, ap.noTmpfs))
		case opts == "" && coveredByList(p, c.EngineTmpfs):
			// the engine mounts it
		case opts == "" && coveredByEntries(p, entries):
			// another entry covers it
		case !SafeTmpfsEntry(e):
			ap.note(finding.Tmpfs, -1, "tmpfs %q not added: rofix writes only paths and options of letters, digits and ._-/:=,+@%%; add it by hand", e)
		default:
			ap.a.Tmpfs = append(ap.a.Tmpfs, e)
			if len(dropped[i]) > 0 {
				ap.note(finding.Tmpfs, -1, "tmpfs on %s without %s: the engine refuses those options, and its tmpfs is root's; if the app cannot write there, make the directory writable in the image", p, strings.Join(dropped[i], ","))
			}
		}
	}
}

// owner warns, for a container that runs as a user other than root, about
// the added tmpfs entries that set no owner or mode.
func (ap *applier) owner() {
	u := ap.c.User
	if ap.c.ScratchForAll || IsRootUser(u) {
		return
	}
	for _, e := range ap.a.Tmpfs {
		p, opts, _ := strings.Cut(e, ":")
		if p != "/tmp" && p != "/var/tmp" && !strings.Contains(opts, "uid=") && !strings.Contains(opts, "mode=") {
			ap.note(finding.Tmpfs, -1, "the container runs as user %s: a tmpfs on %s over a directory of the image gets that directory's mode but root as owner; if %s cannot write there, add uid= to the entry", u, p, u)
		}
	}
}

// onSymlink reports a path through /var/run or /var/lock.
func onSymlink(p string) bool {
	p = path.Clean(p)
	return CanonicalPath(p) != p && (strings.HasPrefix(p, "/var/run") || strings.HasPrefix(p, "/var/lock"))
}

// SafeTmpfsEntry reports whether a tmpfs entry can be written as it is in a
// shell word and a plain YAML scalar: an absolute path and options made of
// letters, digits and . _ - / : = , + @ %.
func SafeTmpfsEntry(e string) bool {
	if !strings.HasPrefix(e, "/") {
		return false
	}
	for _, r := range e {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("._-/:=,+@%", r):
		default:
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// conflicts returns the path of list that p is at, above or under, or "".
func conflicts(p string, list []string) string {
	for _, x := range list {
		if within(p, x) || within(x, p) {
			return x
		}
	}
	return ""
}

func coveredByList(p string, list []string) bool {
	for _, x := range list {
		if within(p, x) {
			return true
		}
	}
	return false
}

// coveredByEntries reports whether another entry is above p.
func coveredByEntries(p string, entries []string) bool {
	for _, e := range entries {
		if t := TmpfsTarget(e); t != p && within(p, t) {
			return true
		}
	}
	return false
}

// namedAbove reports whether a mount the file names (not an anonymous
// Dockerfile volume) is at or above p.
func namedAbove(mounts []MountPoint, p string) bool {
	for _, m := range mounts {
		if !m.Anonymous && within(p, CanonicalPath(m.Target)) {
			return true
		}
	}
	return false
}

// dropOptions removes the options named in drop from a tmpfs entry and
// returns the entry and the options removed.
func dropOptions(e string, drop []string) (string, []string) {
	p, opts, ok := strings.Cut(e, ":")
	if !ok || len(drop) == 0 {
		return e, nil
	}
	var kept, dropped []string
	for _, o := range strings.Split(opts, ",") {
		name, _, _ := strings.Cut(o, "=")
		if contains(drop, name) {
			dropped = append(dropped, o)
		} else {
			kept = append(kept, o)
		}
	}
	if len(kept) == 0 {
		return p, dropped
	}
	return p + ":" + strings.Join(kept, ","), dropped
}

// missingOptions returns the options of want that have lacks (by what
// they set: exec is lacking from noexec), comma-separated. Ownership and
// size options are left to the author.
func missingOptions(want, have string) string {
	var out []string
	for _, o := range strings.Split(want, ",") {
		if o == "" || strings.HasPrefix(o, "size=") || strings.HasPrefix(o, "uid=") || strings.HasPrefix(o, "gid=") {
			continue
		}
		found := false
		for _, h := range strings.Split(have, ",") {
			found = found || h == o
		}
		if !found {
			out = append(out, o)
		}
	}
	return strings.Join(out, ",")
}

// coveredBy returns the path of list at or above p, or "".
func coveredBy(p string, list []string) string {
	for _, x := range list {
		if within(p, x) {
			return x
		}
	}
	return ""
}
