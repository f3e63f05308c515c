// Package finding defines what every rofix engine reports: findings tied to
// exact byte spans of the original file, the hardening rules they belong to,
// and the Plan an engine hands back (edits, findings, and a verifier).
package finding

import (
	"fmt"
	"sort"

	"github.com/rofix/rofix/rewrite/edit"
)

// Rule identifies a hardening rule. The ids are stable: they appear in ignore
// directives, in reports and in the command line's output.
type Rule string

// The hardening rules, and the ids of findings that are not about one rule.
const (
	ReadOnly        Rule = "read-only"
	Tmpfs           Rule = "tmpfs"
	NoNewPrivileges Rule = "no-new-privileges"
	ROMounts        Rule = "ro-mounts"
	// CapDrop drops every capability and adds back the ones the image
	// needs; NonRoot runs the container as the image's unprivileged user.
	// Both are opt-in (RuleInfo.OptIn): off unless switched on.
	CapDrop Rule = "cap-drop"
	NonRoot Rule = "non-root"

	// Directive reports what an ignore directive did, or a malformed one.
	Directive Rule = "directive"
	// Unsupported reports a spot rofix leaves alone because editing it is
	// unsafe or impossible (an alias shared by services, an unknown flag).
	Unsupported Rule = "unsupported"
	// Syntax reports input rofix cannot read.
	Syntax Rule = "syntax"
)

// RuleInfo describes a rule for humans: reports, help text and, later, the
// text of pull requests.
type RuleInfo struct {
	ID      Rule
	Summary string
	Why     string
	// OptIn marks a rule that is off unless a config file (rules:) or
	// the command line (--enable) switches it on: done blindly it breaks
	// containers, so it acts only on what rofix knows of the image.
	OptIn bool
}

// Rules lists the hardening rules in the order rofix applies them.
var Rules = []RuleInfo{
	{ID: ReadOnly, Summary: "make the container's root filesystem read-only",
		Why: "the writable layer is where an attacker persists; a read-only root leaves nothing to modify"},
	{ID: Tmpfs, Summary: "mount a tmpfs on the scratch paths the app writes (/tmp at least)",
		Why: "a read-only container without a writable /tmp crashes at its first temp file"},
	{ID: NoNewPrivileges, Summary: "set no-new-privileges",
		Why: "without it setuid binaries in the image still escalate privileges"},
	{ID: ROMounts, Summary: "mount binds the container only reads as read-only",
		Why: "read-only does not cover volumes and bind mounts: they stay writable unless marked :ro"},
	{ID: CapDrop, Summary: "drop every capability and add back only those the image needs (opt-in)",
		Why: "root in a container keeps a default set of capabilities (chown over any file, raw sockets, mknod) that an attacker inherits", OptIn: true},
	{ID: NonRoot, Summary: "run the container as the image's unprivileged user (opt-in)",
		Why: "a process running as root in the container is root on every file and mount it reaches", OptIn: true},
}

// IsRule reports whether id names a hardening rule.
func IsRule(id string) bool {
	for _, r := range Rules {
		if string(r.ID) == id {
			return true
		}
	}
	return false
}

// IsOptIn reports whether id names an opt-in rule (off by default).
func IsOptIn(id string) bool {
	for _, r := range Rules {
		if string(r.ID) == id {
			return r.OptIn
		}
	}
	return false
}

// OptInRules lists the ids of the opt-in rules, in the order of Rules.
func OptInRules() []Rule {
	var out []Rule
	for _, r := range Rules {
		if r.OptIn {
			out = append(out, r.ID)
		}
	}
	return out
}

// A Finding is one thing rofix noticed in a file. Start and End are byte
// offsets into the original file content. Fixed tells whether the plan's
// edits fix it; an unfixed finding is something a human should look at.
type Finding struct {
	Rule       Rule
	Start, End int
	Message    string
	Fixed      bool
	// Note is true for an unfixed finding that asks nothing of a person
	// (a container left alone because it never runs): reports give it
	// severity note, and the command line prints it only with -v.
	Note bool
	// Subject is the service or command the finding is about; nil for a
	// finding about the whole file.
	Subject *Subject
}

// A Subject is what the engines harden: a compose service or a run command.
// Reports group findings by it and count the subjects hardened.
type Subject struct {
	Kind  string // "service" or "command"
	Name  string // the service's name, or the command's words up to run ("docker run")
	Start int    // byte offset of the service's key or the command's first word
}

// A Plan is an engine's answer for one file.
type Plan struct {
	Edits    []edit.Edit
	Findings []Finding
	// Verify checks the edited content: it re-parses it and compares it with
	// the original plus exactly the intended changes. Nil means no edits.
	Verify func(out []byte) error
	// Subject, when set, is stamped on the findings Add records: engines set
	// it while they plan one service or command.
	Subject *Subject
}

// Add records a finding about the plan's current Subject.
func (p *Plan) Add(rule Rule, start, end int, fixed bool, format string, args ...any) {
	p.Findings = append(p.Findings, Finding{Rule: rule, Start: start, End: end, Fixed: fixed, Message: fmt.Sprintf(format, args...), Subject: p.Subject})
}

// Note records an unfixed finding about the plan's current Subject that
// asks nothing of a person (see Finding.Note).
func (p *Plan) Note(rule Rule, start, end int, format string, args ...any) {
	p.Add(rule, start, end, false, format, args...)
	p.Findings[len(p.Findings)-1].Note = true
}

// Sort orders findings by position, then rule, for stable output.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Start != fs[j].Start {
			return fs[i].Start < fs[j].Start
		}
		return fs[i].Rule < fs[j].Rule
	})
}

// Shift returns findings moved by delta bytes.
func Shift(fs []Finding, delta int) []Finding {
	out := make([]Finding, len(fs))
	for i, f := range fs {
		f.Start += delta
		f.End += delta
		if f.Subject != nil {
			s := *f.Subject
			s.Start += delta
			f.Subject = &s
		}
		out[i] = f
	}
	return out
}

// A PosError is an error at a byte offset of the input, for inputs rofix
// cannot process. The command line prints it as path:line:col.
type PosError struct {
	Offset int
	Err    error
}

func (e *PosError) Error() string { return e.Err.Error() }
func (e *PosError) Unwrap() error { return e.Err }

// Errorf returns a PosError at offset.
func Errorf(offset int, format string, args ...any) error {
	return &PosError{Offset: offset, Err: fmt.Errorf(format, args...)}
}
