package policy

import (
	"fmt"
	"path"
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
)

// This file decides, the same way for every engine, what a container gets
// from what its image needs (Needs) and what the file already gives it
// (Container). The engines only locate settings and edit them.

// A MountPoint is something a container already has mounted.
type MountPoint struct {
	// Target is the path in the container, as written.
	Target string
	// Tmpfs is true for a tmpfs mount; Options are its options as written
	// after the path ("exec,size=64m").
	Tmpfs   bool
	Options string
	// Anonymous is true for an anonymous volume the file does not name: a
	// Dockerfile VOLUME. Its data outlives no "down -v" or "run --rm".
	Anonymous bool
	// Ref is the engine's index of the mount, echoed in notes about it.
	Ref int
}

// Container is what a file already says about one container.
type Container struct {
	// Mounts are the static mount targets: tmpfs, volumes, binds, and the
	// anonymous volumes of the image's Dockerfile.
	Mounts []MountPoint
	// Env maps the environment variables set for the container to their
	// values ("" when the value is not known statically).
	Env map[string]string
	// EnvUnknown is true when more variables may be set where rofix cannot
	// see them (env_file, --env-file, hidden arguments).
	EnvUnknown bool
	// EngineTmpfs are the paths the engine mounts a tmpfs on by itself when
	// the container is read-only (podman: /tmp, /var/tmp, /run), with its
	// default options.
	EngineTmpfs []string
	// User is the user the container runs as ("" when unknown or root).
	User string
	// DropOptions are tmpfs options the engine refuses, by name (podman
	// 4.3 refuses uid= and gid= on --tmpfs): entries are added without them.
	DropOptions []string
}

// A Note is something the engines report about a container.
type Note struct {
	Rule finding.Rule
	// Mount is the Ref of the mount the note is about, or -1.
	Mount int
	Text  string
}

// Applied is what one container gets.
type Applied struct {
	// ReadOnly is false when the image does not run read-only: the engine
	// must not add read-only (an explicit read-only stays).
	ReadOnly bool
	// Tmpfs are the "PATH[:OPTIONS]" entries to add, canonical, in order.
	Tmpfs []string
	// Writable are the paths the container writes (tmpfs and state paths,
	// canonical): a bind mounted there must stay writable.
	Writable []string
	// ReadOnlyNotes are reported when the container is or becomes
	// read-only, or when read-only is refused (the reason).
	ReadOnlyNotes []Note
	// Notes are reported when the container is or becomes read-only.
	Notes []Note
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

// Apply decides what a container whose image has needs n gets, given what
// c already has:
//   - a tmpfs for each of n's paths, unless something is mounted at that
//     path or above it, the path is (at, above or under) a state path or a
//     no-tmpfs path, or the engine mounts one there itself (then only an
//     entry with options is added);
//   - a state path with nothing mounted at or above it is reported (its
//     data dies with the container), and one on a tmpfs or on an anonymous
//     Dockerfile volume too;
//   - an existing tmpfs on /var/run/... is reported, not rewritten;
//   - environment settings the container lacks are reported;
//   - verdict "no" refuses read-only with the entry's conditions; "cond"
//     reports them; notes are reported.
func Apply(n Needs, c Container) Applied {
	a := Applied{ReadOnly: n.Verdict != DoesNotWork}
	label := n.Image
	if len(n.Entries) > 0 && n.Entries[0].Name != "" {
		label = n.Entries[0].Name
	}
	a.verdictNotes(n, label)

	state := canonicalAll(n.Volumes)
	noTmpfs := canonicalAll(n.NoTmpfs)
	for _, m := range c.Mounts {
		if m.Tmpfs && onSymlink(m.Target) {
			a.Notes = append(a.Notes, Note{finding.Tmpfs, m.Ref, fmt.Sprintf(
				"tmpfs on %s: %s is a symlink in most images and a tmpfs on it fails; write %s", m.Target, strings.Join(strings.Split(path.Clean(m.Target), "/")[:3], "/"), CanonicalPath(m.Target))})
		}
	}
	covered := func(p string) *MountPoint {
		for i := range c.Mounts {
			if within(p, CanonicalPath(c.Mounts[i].Target)) {
				return &c.Mounts[i]
			}
		}
		return nil
	}

	var canonical []string
	for _, e := range n.Tmpfs {
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
		a.Writable = append(a.Writable, p)
		switch {
		case covered(p) != nil:
			if m := covered(p); m.Tmpfs && CanonicalPath(m.Target) == p {
				if missing := missingOptions(opts, m.Options); missing != "" {
					a.Notes = append(a.Notes, Note{finding.Tmpfs, m.Ref, fmt.Sprintf(
						"the tmpfs on %s lacks %s, which %s needs: write %s", m.Target, missing, label,
						joinTmpfs(m.Target, strings.Trim(m.Options+","+missing, ",")))})
				}
			}
			continue
		case conflicts(p, state) != "":
			a.Notes = append(a.Notes, Note{finding.Tmpfs, -1, fmt.Sprintf(
				"no tmpfs on %s: %s is a state path of %s and needs a volume", p, conflicts(p, state), label)})
			continue
		case conflicts(p, noTmpfs) != "":
			a.Notes = append(a.Notes, Note{finding.Tmpfs, -1, fmt.Sprintf(
				"no tmpfs on %s: %s ships files in %s that a tmpfs would hide", p, label, conflicts(p, noTmpfs))})
			continue
		case opts == "" && coveredByList(p, c.EngineTmpfs):
			continue // the engine mounts it
		case opts == "" && coveredByEntries(p, entries):
			continue // another entry covers it
		case !SafeTmpfsEntry(e):
			a.Notes = append(a.Notes, Note{finding.Tmpfs, -1, fmt.Sprintf(
				"tmpfs %q not added: rofix writes only paths and options of letters, digits and ._-/:=,+@%%; add it by hand", e)})
			continue
		}
		a.Tmpfs = append(a.Tmpfs, e)
		if len(dropped[i]) > 0 {
			a.Notes = append(a.Notes, Note{finding.Tmpfs, -1, fmt.Sprintf(
				"tmpfs on %s without %s: the engine refuses those options, and its tmpfs is root's; if the app cannot write there, make the directory writable in the image", p, strings.Join(dropped[i], ","))})
		}
	}

	if u := c.User; u != "" && u != "root" && u != "0" && !strings.HasPrefix(u, "0:") && !strings.HasPrefix(u, "root:") {
		for _, e := range a.Tmpfs {
			p, opts, _ := strings.Cut(e, ":")
			if p != "/tmp" && p != "/var/tmp" && !strings.Contains(opts, "uid=") && !strings.Contains(opts, "mode=") {
				a.Notes = append(a.Notes, Note{finding.Tmpfs, -1, fmt.Sprintf(
					"the container runs as user %s: a tmpfs on %s over a directory of the image gets that directory's mode but root as owner; if %s cannot write there, add uid= to the entry", u, p, u)})
			}
		}
	}

	reported := map[*MountPoint]bool{}
	for _, v := range state {
		a.Writable = append(a.Writable, v)
		m := covered(v)
		if m != nil {
			reported[m] = true
		}
		switch {
		case m == nil:
			a.Notes = append(a.Notes, Note{finding.Tmpfs, -1, fmt.Sprintf(
				"%s keeps its state in %s, where nothing is mounted: the data dies with the container (unless the image declares a volume there, writes fail on the read-only root); mount a named volume on %s", label, v, v)})
		case m.Tmpfs:
			a.Notes = append(a.Notes, Note{finding.Tmpfs, m.Ref, fmt.Sprintf(
				"%s keeps state in %s, which is on a tmpfs here: its data dies with the container", label, v)})
		case m.Anonymous:
			a.Notes = append(a.Notes, Note{finding.Tmpfs, m.Ref, fmt.Sprintf(
				"%s keeps state in %s: the Dockerfile's VOLUME %s gives it only an anonymous volume; mount a named volume there to keep the data", label, v, m.Target)})
		}
	}

	// A Dockerfile VOLUME no named volume or bind covers: state too.
	for i := range c.Mounts {
		m := &c.Mounts[i]
		if !m.Anonymous || reported[m] || namedAbove(c.Mounts, CanonicalPath(m.Target)) {
			continue
		}
		a.Notes = append(a.Notes, Note{finding.Tmpfs, m.Ref, fmt.Sprintf(
			"the Dockerfile declares VOLUME %s and nothing here mounts it: it gets an anonymous volume, whose data is lost when the container is re-created; mount a named volume there", m.Target)})
	}

	for _, env := range n.Env {
		val, set := c.Env[env.Name]
		why := ""
		if env.Why != "" {
			why = " (" + env.Why + ")"
		}
		switch {
		case !set && c.EnvUnknown:
			a.ReadOnlyNotes = append(a.ReadOnlyNotes, Note{finding.ReadOnly, -1, fmt.Sprintf(
				"%s needs %s=%s read-only%s; not set here (unless in an env file)", label, env.Name, env.Value, why)})
		case !set:
			a.ReadOnlyNotes = append(a.ReadOnlyNotes, Note{finding.ReadOnly, -1, fmt.Sprintf(
				"%s needs %s=%s read-only%s; not set here: add it to the environment", label, env.Name, env.Value, why)})
		case val != "" && env.Value != "" && val != env.Value && !strings.Contains(val, "$"):
			a.ReadOnlyNotes = append(a.ReadOnlyNotes, Note{finding.ReadOnly, -1, fmt.Sprintf(
				"%s needs %s=%s read-only%s; it is set to %s here", label, env.Name, env.Value, why, val)})
		}
	}
	said := map[string]bool{} // the conditions the verdict note holds
	for _, e := range n.Entries {
		if e.Verdict != Works {
			said[e.Name+": "+e.Conditions] = true
		}
	}
	for _, note := range n.Notes {
		if !said[note] {
			a.Notes = append(a.Notes, Note{finding.Tmpfs, -1, note})
		}
	}
	return a
}

// verdictNotes reports the verdict of the matched entries.
func (a *Applied) verdictNotes(n Needs, label string) {
	conds := conditions(n)
	switch n.Verdict {
	case DoesNotWork:
		text := fmt.Sprintf("%s does not run with a read-only root", label)
		if conds != "" {
			text += ": " + conds
		}
		a.ReadOnlyNotes = append(a.ReadOnlyNotes, Note{finding.ReadOnly, -1, text})
	case WorksWithConditions:
		text := fmt.Sprintf("%s runs read-only only under conditions", label)
		if conds != "" {
			text += ": " + conds
		}
		a.ReadOnlyNotes = append(a.ReadOnlyNotes, Note{finding.ReadOnly, -1, text})
	}
}

// conditions joins the conditions of the entries whose verdict is not
// Works (Lookup also lists them in Needs.Notes; Apply says them once).
func conditions(n Needs) string {
	var out []string
	for _, e := range n.Entries {
		if c := strings.TrimSpace(e.Conditions); c != "" && e.Verdict != Works {
			out = append(out, strings.TrimSuffix(c, "."))
		}
	}
	return strings.Join(out, "; ")
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
