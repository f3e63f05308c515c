package policy

import (
	"slices"
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
)

// This file is Apply's decision for the opt-in rules non-root and
// cap-drop, the same for every engine. Both act only on what rofix knows
// (the image's run_as, caps and USER, or what the file says): done
// blindly they break containers. Non-root is decided first: cap-drop
// depends on the user the container ends up running as.
//
// non-root:
//   - a user the file sets (any value) is kept; root is reported;
//   - an image whose USER is non-root needs nothing (a quiet note);
//   - an image that runs as run_as gets that user, and the tmpfs entries
//     rofix adds get its uid= and gid= (/tmp and /var/tmp are
//     world-writable already); unless a host directory is mounted on one
//     of its state paths (its owner on the host decides) or the engine
//     refuses uid= on a tmpfs;
//   - an image that needs root, or one rofix does not know, is reported.
//
// cap-drop:
//   - capabilities the file drops or adds (or a variable there) are kept;
//     reported when the drop lacks ALL;
//   - a container that runs as non-root under no-new-privileges drops
//     ALL and adds nothing: such a process gains no capability from the
//     bounding set;
//   - an image whose caps are known drops ALL and adds those back;
//   - otherwise it is reported: rofix try finds the set.

// on reports whether opt-in rule r applies to the container.
func (ap *applier) on(r finding.Rule) bool { return slices.Contains(ap.c.On, r) }

// privNote records a finding of cap-drop or non-root.
func (ap *applier) privNote(rule finding.Rule, fixed, quiet bool, text string) {
	ap.a.PrivNotes = append(ap.a.PrivNotes, Note{Rule: rule, Mount: -1, Text: text, Fixed: fixed, Quiet: quiet})
}

// imageLabel names the image in the privilege findings: the matched
// entry, else the image as written.
func (ap *applier) imageLabel() string {
	switch {
	case ap.label != "":
		return ap.label
	case ap.n.Image != "":
		return ap.n.Image
	}
	return "the image built here"
}

// imageUser returns the USER the image runs as when the file sets none:
// the table's, else the Dockerfile's of a build ("" when unknown).
func (ap *applier) imageUser() string {
	if ap.n.User != "" || ap.c.UserSet {
		return ap.n.User
	}
	return ap.c.User
}

// nonRootUser says whether user names a non-root user rofix can read.
func nonRootUser(user string) bool {
	return !IsRootUser(user) && !strings.Contains(user, "$")
}

// user returns the user the container runs as: the one non-root adds,
// the file's, or the image's USER ("" when unknown).
func (ap *applier) user() string {
	switch {
	case ap.a.User != "":
		return ap.a.User
	case ap.c.UserSet:
		return ap.c.User
	}
	return ap.imageUser()
}

// runsNonRoot reports whether the container runs as a non-root user rofix
// can read.
func (ap *applier) runsNonRoot() bool { return nonRootUser(ap.user()) }

// nonRoot decides the non-root rule (see above).
func (ap *applier) nonRoot() {
	if !ap.on(finding.NonRoot) {
		return
	}
	c, n, label := ap.c, ap.n, ap.imageLabel()
	switch {
	case c.UserSet && IsRootUser(c.User) && !strings.Contains(c.User, "$"):
		user := c.User
		if name, _, _ := strings.Cut(user, ":"); name != "root" {
			user = or(user, `""`) + " (root)"
		}
		ap.privNote(finding.NonRoot, false, false, "user "+user+" set in the file: kept")
	case c.UserSet:
		// an explicit user wins, and is not root: nothing to say
	case nonRootUser(ap.imageUser()):
		ap.privNote(finding.NonRoot, false, true, label+" runs as its own user "+ap.imageUser()+": nothing to add")
	case n.RunAs != "":
		if why := ap.runAsBlocked(); why != "" {
			ap.privNote(finding.NonRoot, false, false, label+" runs as user "+n.RunAs+" ("+n.RunAsFrom+"), not set here: "+why)
			return
		}
		ap.a.User = n.RunAs
		ap.c.User = n.RunAs // the checks and the tmpfs owner see the user it gets
		ap.privNote(finding.NonRoot, true, false, label+" runs correctly as its unprivileged user "+n.RunAs+" ("+n.RunAsFrom+")")
	case n.NeedsRoot != "":
		ap.privNote(finding.NonRoot, false, false, label+" must start as root: "+n.NeedsRoot+" ("+n.RunAsFrom+")")
	default:
		ap.privNote(finding.NonRoot, false, false, "rofix does not know whether "+label+" runs as a non-root user; `rofix try` proves it")
	}
}

// runAsBlocked says why the image's run_as user cannot be set here, or
// "": a host directory mounted on a state path (its owner on the host
// decides whether that user can write it; as root the entrypoint makes it
// its own), or an engine that refuses uid= on a tmpfs rofix would add.
func (ap *applier) runAsBlocked() string {
	for _, b := range ap.c.Role.Binds {
		t := CanonicalPath(b.Target)
		for _, v := range ap.state {
			if within(t, v) || within(v, t) {
				return "the host directory " + b.Source + " is mounted on " + b.Target + ", which it writes; as root its entrypoint makes it its own, as " + ap.n.RunAs + " it needs it owned by that uid on the host: chown it there, then set the user"
			}
		}
	}
	if !contains(ap.c.DropOptions, "uid") && !contains(ap.c.DropOptions, "gid") {
		return ""
	}
	for _, e := range ap.n.Tmpfs {
		if p := TmpfsTarget(e); p != "/tmp" && p != "/var/tmp" {
			return "the engine refuses uid= on a tmpfs, so the tmpfs on " + p + " would be root's"
		}
	}
	return ""
}

// runAsTmpfs gives the tmpfs entries rofix adds the uid and gid of the
// user non-root sets (not /tmp and /var/tmp, world-writable, nor an entry
// that sets its owner or mode).
func (ap *applier) runAsTmpfs() {
	if ap.a.User == "" {
		return
	}
	uid, gid, _ := strings.Cut(ap.a.User, ":")
	for i, e := range ap.a.Tmpfs {
		p, opts, _ := strings.Cut(e, ":")
		if p == "/tmp" || p == "/var/tmp" || strings.Contains(opts, "uid=") || strings.Contains(opts, "mode=") {
			continue
		}
		ap.a.Tmpfs[i] = joinTmpfs(p, strings.Trim(opts+",uid="+uid+",gid="+gid, ","))
	}
}

// capDrop decides the cap-drop rule (see above).
func (ap *applier) capDrop() {
	if !ap.on(finding.CapDrop) {
		return
	}
	c, n, label := ap.c, ap.n, ap.imageLabel()
	switch {
	case c.CapsDynamic:
		ap.privNote(finding.CapDrop, false, false, "capabilities set in the file from a variable or a value rofix cannot read: kept")
	case c.CapDrop != nil || c.CapAdd != nil:
		said := "capabilities set in the file (" + capsWritten(c) + "): kept"
		if !dropsAll(c.CapDrop) {
			ap.privNote(finding.CapDrop, false, false, said+"; without ALL dropped the container keeps the rest of the engine's default capabilities")
			return
		}
		ap.privNote(finding.CapDrop, false, true, said)
	case ap.runsNonRoot() && c.NoNewPrivs:
		ap.a.CapDrop = true
		ap.privNote(finding.CapDrop, true, false, "every capability dropped, none added back: the container runs as user "+ap.user()+" under no-new-privileges, and a non-root process gains no capability from the bounding set")
	case n.CapsKnown:
		ap.a.CapDrop = true
		if len(n.Caps) == 0 {
			ap.privNote(finding.CapDrop, true, false, "every capability dropped: "+label+" needs none ("+n.CapsFrom+")")
			return
		}
		ap.a.CapAdd = slices.Clone(n.Caps)
		ap.privNote(finding.CapDrop, true, false, "every capability dropped, "+strings.Join(n.Caps, ", ")+" added back: what "+label+" needs ("+n.CapsFrom+")")
	default:
		ap.privNote(finding.CapDrop, false, false, "rofix does not know which capabilities "+label+" needs; `rofix try` finds them")
	}
}

// dropsAll reports whether a cap_drop list holds ALL (any spelling).
func dropsAll(drop []string) bool {
	for _, d := range drop {
		if name, _ := CapName(d); name == "ALL" {
			return true
		}
	}
	return false
}

// capsWritten says what the file drops and adds: "drop ALL, add CHOWN".
func capsWritten(c Container) string {
	var parts []string
	if c.CapDrop != nil {
		parts = append(parts, "drop "+or(strings.Join(c.CapDrop, ", "), "nothing"))
	}
	if c.CapAdd != nil {
		parts = append(parts, "add "+or(strings.Join(c.CapAdd, ", "), "nothing"))
	}
	return strings.Join(parts, ", ")
}

// source names an entry and its first source, for the findings that
// carry their evidence: "postgres (docker-library/postgres ...)".
func source(e *ImageEntry) string {
	if len(e.Sources) == 0 {
		return e.Name
	}
	return e.Name + ": " + e.Sources[0]
}
