package policy

import (
	"fmt"
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
	// Dockerfile VOLUME, whose data is lost when the container is re-created.
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
	// User is the user the container runs as ("" when unknown or root):
	// the value the file writes, else the USER of the Dockerfile it
	// builds.
	User string
	// UserSet is true when the file itself sets a user (User is then its
	// value as written).
	UserSet bool
	// CapAdd and CapDrop are the capabilities the file adds and drops, as
	// written (nil when it names none); CapsDynamic is true when one of
	// those settings is a variable or a value rofix cannot read.
	CapAdd, CapDrop []string
	CapsDynamic     bool
	// NoNewPrivs is true when the container has or gets
	// no-new-privileges.
	NoNewPrivs bool
	// On lists the opt-in rules that apply to this container: the
	// policy's On less the rules its ignore directives name (Policy.OptIn
	// computes it). Apply decides cap-drop and non-root only for these.
	On []finding.Rule
	// DropOptions are tmpfs options the engine refuses, by name (podman
	// 4.3 refuses uid= and gid= on --tmpfs): entries are added without them.
	DropOptions []string
	// Role is how the file uses the container, for Judge (judge.go).
	Role Role
}

// A Note is something the engines report about a container.
type Note struct {
	Rule finding.Rule
	// Mount is the Ref of the mount the note is about, or -1.
	Mount int
	Text  string
	// Fixed is true for a note about an edit Applied asks for (cap-drop
	// and non-root: the capabilities dropped and added, the user set):
	// the engine reports it as fixed when it makes that edit.
	Fixed bool
	// Quiet is true for a note that asks nothing of a person (the image
	// runs as its own user already): reported as finding.Plan.Note.
	Quiet bool
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
	// Alone, when set, is why the container is left entirely alone (see
	// Judge): the engine changes nothing and reports it with rule
	// read-only; the other fields are empty.
	Alone string
	// Quiet is true when Alone asks nothing of a person: the engine
	// reports it as a note (finding.Plan.Note).
	Quiet bool
	// CapDrop asks the engine to drop every capability (cap_drop: [ALL])
	// and CapAdd to add these back (canonical names, sorted); User is the
	// user to set ("UID:GID"). Filled only for the opt-in rules in
	// Container.On (see apply_privileges.go).
	CapDrop bool
	CapAdd  []string
	User    string
	// PrivNotes are the findings of cap-drop and non-root, for the rules
	// that are on: the edits above (Fixed) and what rofix withheld.
	PrivNotes []Note
}

// Apply decides what a container whose image has needs n gets, given what
// c already has:
//   - a tmpfs for each of n's paths, unless something is mounted at that
//     path or above it, the path is (at, above or under) a state path or a
//     no-tmpfs path, or the engine mounts one there itself (then only an
//     entry with options is added);
//   - a state path with nothing mounted at or above it is reported: on an
//     image VOLUME its data dies with the container; with no VOLUME
//     there read-only is withheld (the app dies at its first write),
//     unless the path is optional; one on a tmpfs or on an anonymous
//     Dockerfile volume is reported too;
//   - an existing tmpfs on /var/run/... is reported, not rewritten;
//   - environment settings the container lacks are reported; a required
//     one missing or different withholds read-only;
//   - verdict "no" refuses read-only with the entry's conditions; "cond"
//     reports them, and withholds read-only unless the container meets
//     every check of the entries (see Check); notes are reported.
//
// With the opt-in rules on (Container.On), it also decides the
// capabilities and the user (see apply_privileges.go).
//
// Before all that, Judge decides from c.Role whether the container is a
// service at all: one left alone gets only Alone; one that keeps a
// writable root gets ReadOnly false with Judge's reason as its only
// read-only note.
func Apply(n Needs, c Container) Applied {
	j := Judge(n.Image, c.Role)
	if j.Alone {
		return Applied{Alone: j.Reason, Quiet: j.Quiet}
	}
	a := apply(n, c)
	if j.Writable {
		a.ReadOnly = false
		a.ReadOnlyNotes = []Note{{Rule: finding.ReadOnly, Mount: -1, Text: j.Reason}}
	}
	return a
}

func apply(n Needs, c Container) Applied {
	ap := &applier{n: n, c: c, a: Applied{ReadOnly: n.Verdict != DoesNotWork},
		label: n.Image, state: canonicalAll(n.Volumes), noTmpfs: canonicalAll(n.NoTmpfs)}
	if len(n.Entries) > 0 && n.Entries[0].Name != "" {
		ap.label = n.Entries[0].Name
	}
	ap.nonRoot()
	ap.verdict()
	ap.checks()
	ap.tmpfs()
	ap.runAsTmpfs()
	ap.owner()
	ap.stateNotes()
	ap.env()
	ap.notes()
	ap.capDrop()
	return ap.a
}

// applier holds one Apply call.
type applier struct {
	n       Needs
	c       Container
	a       Applied
	label   string   // the entry's name, else the image
	state   []string // canonical state paths
	noTmpfs []string // canonical no-tmpfs paths
}

func (ap *applier) note(rule finding.Rule, mount int, format string, args ...any) {
	n := Note{Rule: rule, Mount: mount, Text: fmt.Sprintf(format, args...)}
	if rule == finding.ReadOnly {
		ap.a.ReadOnlyNotes = append(ap.a.ReadOnlyNotes, n)
	} else {
		ap.a.Notes = append(ap.a.Notes, n)
	}
}

// covered returns the first mount at or above p, or nil.
func (ap *applier) covered(p string) *MountPoint {
	for i := range ap.c.Mounts {
		if within(p, CanonicalPath(ap.c.Mounts[i].Target)) {
			return &ap.c.Mounts[i]
		}
	}
	return nil
}

// stateNotes reports the state paths without a named volume, and the
// Dockerfile VOLUMEs nothing names. A required state path with nothing
// mounted at or above it and no VOLUME of the image there withholds
// read-only: the app dies at its first write.
func (ap *applier) stateNotes() {
	reported := map[*MountPoint]bool{}
	imageVolumes, optional := canonicalAll(ap.n.ImageVolumes), canonicalAll(ap.n.OptionalVolumes)
	for _, v := range ap.state {
		ap.a.Writable = append(ap.a.Writable, v)
		m := ap.covered(v)
		if m != nil {
			reported[m] = true
		}
		img := coveredBy(v, imageVolumes)
		switch {
		case m == nil && img != "":
			ap.note(finding.Tmpfs, -1, "%s keeps its state in %s, where nothing is mounted: the image's VOLUME %s gives it an anonymous volume, whose data is lost when the container is re-created; mount a named volume on %s", ap.label, v, img, v)
		case m == nil && contains(optional, v):
			ap.note(finding.Tmpfs, -1, "%s keeps state in %s in some configurations; nothing is mounted there and the image declares no VOLUME, so writes there fail on a read-only root: if it is used, mount a named volume on %s", ap.label, v, v)
		case m == nil:
			ap.block("%s writes its state to %s and the image declares no VOLUME there: with nothing mounted it dies on a read-only root; mount a named volume on %s (rofix adds read-only only then)", ap.label, v, v)
		case m.Tmpfs:
			ap.note(finding.Tmpfs, m.Ref, "%s keeps state in %s, which is on a tmpfs here: its data dies with the container", ap.label, v)
		case m.Anonymous:
			ap.note(finding.Tmpfs, m.Ref, "%s keeps state in %s: the Dockerfile's VOLUME %s gives it only an anonymous volume; mount a named volume there to keep the data", ap.label, v, m.Target)
		}
	}
	for i := range ap.c.Mounts {
		m := &ap.c.Mounts[i]
		if m.Anonymous && !reported[m] && !namedAbove(ap.c.Mounts, CanonicalPath(m.Target)) {
			ap.note(finding.Tmpfs, m.Ref, "the Dockerfile declares VOLUME %s and nothing here mounts it: it gets an anonymous volume, whose data is lost when the container is re-created; mount a named volume there", m.Target)
		}
	}
}

// block withholds read-only for a reason rofix checked, reported with the
// read-only rule (an image that does not run read-only says so once).
func (ap *applier) block(format string, args ...any) {
	ap.a.ReadOnly = false
	if ap.n.Verdict != DoesNotWork {
		ap.note(finding.ReadOnly, -1, format, args...)
	}
}

// env reports the environment settings the container lacks; a required
// one that is missing or different withholds read-only.
func (ap *applier) env() {
	for _, env := range ap.n.Env {
		val, set := ap.c.Env[env.Name]
		known := set && val != "" && !strings.Contains(val, "$")
		want := env.Name + "=" + env.Value
		why := ""
		if env.Why != "" {
			why = " (" + env.Why + ")"
		}
		if env.Required {
			switch {
			case !set && ap.c.EnvUnknown:
				ap.block("%s dies on a read-only root without %s%s; rofix cannot see it here (an env file may set it): set %s in the environment (rofix adds read-only only then)", ap.label, env.Name, why, want)
			case !set:
				ap.block("%s dies on a read-only root without %s%s; it is not set here: set %s (rofix adds read-only only then)", ap.label, env.Name, why, want)
			case known && !env.AnyValue && val != env.Value:
				ap.block("%s dies on a read-only root without %s%s; it is set to %s here: set %s (rofix adds read-only only then)", ap.label, want, why, val, want)
			case !known:
				ap.note(finding.ReadOnly, -1, "%s needs %s read-only%s; its value is not known statically here: make sure it is set", ap.label, want, why)
			}
			continue
		}
		switch {
		case !set && ap.c.EnvUnknown:
			ap.note(finding.ReadOnly, -1, "%s needs %s read-only%s; not set here (unless in an env file)", ap.label, want, why)
		case !set:
			ap.note(finding.ReadOnly, -1, "%s needs %s read-only%s; not set here: add it to the environment", ap.label, want, why)
		case known && env.Value != "" && !env.AnyValue && val != env.Value:
			ap.note(finding.ReadOnly, -1, "%s needs %s read-only%s; it is set to %s here", ap.label, want, why, val)
		}
	}
}

// notes reports the notes of the entries, but not the conditions the
// verdict note already holds.
func (ap *applier) notes() {
	said := map[string]bool{}
	for _, e := range ap.n.Entries {
		if e.Verdict != Works {
			said[e.Name+": "+e.Conditions] = true
		}
	}
	for _, text := range ap.n.Notes {
		if !said[text] {
			ap.note(finding.Tmpfs, -1, "%s", text)
		}
	}
}

// verdict reports the verdict of the matched entries, with their
// conditions: why read-only is refused, or what it takes.
func (ap *applier) verdict() {
	text := ""
	switch ap.n.Verdict {
	case DoesNotWork:
		text = ap.label + " does not run with a read-only root"
	case WorksWithConditions:
		// The conditions rofix checks (environment, state paths) are
		// decided by Apply; the others are said here.
		if conditions(ap.n) == "" {
			return
		}
		text = ap.label + " runs read-only only under conditions"
	default:
		return
	}
	if conds := conditions(ap.n); conds != "" {
		text += ": " + conds
	}
	ap.note(finding.ReadOnly, -1, "%s", text)
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
