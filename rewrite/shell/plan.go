package shell

import (
	"strings"

	"github.com/rofix/rofix/rewrite/directive"
	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/shellparse"
)

// The flags rofix inserts. The bare no-new-privileges form is the one
// docker, podman and nerdctl all accept (nerdctl ignores ":true").
const (
	flagReadOnly = "--read-only"
	flagNNP      = "--security-opt no-new-privileges"
)

// podmanTmpfs are the paths podman mounts a tmpfs on by itself when a
// container is read-only (--read-only-tmpfs defaults to true).
var podmanTmpfs = []string{"/tmp", "/var/tmp", "/run"}

// podmanRefuses are the tmpfs options podman does not accept.
var podmanRefuses = []string{"uid", "gid"}

// planner plans the changes to one invocation.
type planner struct {
	src  []byte
	inv  *shellparse.Invocation
	pol  policy.Policy
	ig   directive.Ignore
	plan *finding.Plan
	// later is what the script does to its containers afterwards.
	later *later
	// state is what the command already says (set by run).
	state *state
}

// run plans the invocation's edits, records its findings, and returns what
// the verifier must find in the output.
func (p *planner) run() expected {
	inv := p.inv
	s := readState(inv)
	p.state = &s
	exp := expected{inv: inv, after: -1}
	a := p.decide(s)
	start, end := inv.Words[0].Start, inv.Words[inv.Sub].End
	if a.Alone != "" {
		// Not a service rofix hardens: no edit at all, said once.
		switch {
		case p.ig.Skips(finding.ReadOnly):
		case a.Quiet:
			p.plan.Note(finding.ReadOnly, start, end, "%s", a.Alone)
		default:
			p.plan.Add(finding.ReadOnly, start, end, false, "%s", a.Alone)
		}
		return exp
	}
	// Mount edits come first: at an equal offset they must precede the
	// inserted flags (edit.Apply keeps the given order).
	if !p.ig.Skips(finding.ROMounts) {
		if by := p.later.sharedBy(inv); by != "" {
			start, end := inv.Words[0].Start, inv.Words[inv.Sub].End
			p.plan.Add(finding.ROMounts, start, end, false, "another container takes this one's volumes (%s, --volumes-from): :ro here would make them read-only there too; mounts left as written", by)
		} else {
			p.mounts()
		}
	}
	var flags, tmpfs []string
	addReadOnly := s.readOnly.state == policy.Absent && !p.ig.Skips(finding.ReadOnly) && a.ReadOnly
	readOnly := s.readOnly.state == policy.On || addReadOnly
	tmpfsOK := true
	if readOnly && !p.ig.Skips(finding.Tmpfs) {
		tmpfs, tmpfsOK = p.tmpfs(a, start, end)
	}
	if readOnly || s.readOnly.state == policy.Absent && !a.ReadOnly {
		// The verdict, its conditions, or why read-only is not added.
		p.notes(s, a.ReadOnlyNotes, start, end)
	}
	if !p.ig.Skips(finding.ReadOnly) {
		switch {
		case addReadOnly && tmpfsOK:
			flags = append(flags, flagReadOnly)
			p.plan.Add(finding.ReadOnly, start, end, true, "root filesystem is writable: added %s", flagReadOnly)
		case addReadOnly:
			// Read-only without a writable /tmp crashes at the first
			// temporary file: leave the command as it is.
			p.plan.Add(finding.ReadOnly, start, end, false, "%s not added: rofix cannot add the tmpfs a read-only container needs here (see the tmpfs finding)", flagReadOnly)
		case s.readOnly.state == policy.Off:
			p.report(finding.ReadOnly, s.readOnly.flag, "%s is an explicit opt-out: kept", p.flagText(s.readOnly.flag))
		case s.readOnly.state == policy.Dynamic:
			p.report(finding.ReadOnly, s.readOnly.flag, "%s is not known statically: not changed", p.flagText(s.readOnly.flag))
		}
	}
	if readOnly {
		p.notes(s, a.Notes, start, end)
	}
	flags = append(flags, tmpfs...)
	if !p.ig.Skips(finding.NoNewPrivileges) {
		switch s.nnp.state {
		case policy.Absent:
			flags = append(flags, flagNNP)
			if s.nnpColon != nil {
				p.plan.Add(finding.NoNewPrivileges, start, end, true,
					"nerdctl ignores %s: added %s", s.nnpColon.Value, flagNNP)
			} else {
				p.plan.Add(finding.NoNewPrivileges, start, end, true, "setuid binaries can gain privileges: added %s", flagNNP)
			}
		case policy.Off:
			p.report(finding.NoNewPrivileges, s.nnp.flag, "%s is an explicit opt-out: kept", p.flagText(s.nnp.flag))
		case policy.Dynamic:
			p.report(finding.NoNewPrivileges, s.nnp.flag, "%s may set no-new-privileges; it is not known statically: not added", p.flagText(s.nnp.flag))
		}
	}
	flags = append(flags, p.privileges(a, start, end)...)
	for _, h := range inv.Hidden {
		if p.ig.All {
			break
		}
		w := inv.Words[h]
		p.plan.Add(finding.Syntax, w.Start, w.End, false,
			"%s may hold more flags, which rofix cannot see: review them", w.Text(p.src))
	}
	if len(flags) > 0 {
		e, after, words := layout(p.src, inv, flags)
		p.plan.Edits = append(p.plan.Edits, e)
		exp.after, exp.inserted, exp.insert = after, words, e
	}
	return exp
}

// tmpfs returns the --tmpfs flags of the entries the policy decided, and
// whether every one is (or will be) mounted: a mount whose target is not
// static and may be the entry's path stops it (a duplicate mount point
// fails the run).
func (p *planner) tmpfs(a policy.Applied, start, end int) ([]string, bool) {
	var flags []string
	ok := true
	for _, entry := range a.Tmpfs {
		path := policy.TmpfsTarget(entry)
		if f := p.state.mayTarget(path); f != nil {
			p.report(finding.Tmpfs, f, "%s has a target that is not known statically (it may be %s): --tmpfs %s not added", p.flagText(f), path, entry)
			ok = false
			continue
		}
		flags = append(flags, "--tmpfs "+entry)
		p.plan.Add(finding.Tmpfs, start, end, true, "a read-only container needs a writable %s: added --tmpfs %s", path, entry)
	}
	return flags, ok
}

// report records an unfixed finding on a flag's words.
func (p *planner) report(rule finding.Rule, f *shellparse.Flag, format string, args ...any) {
	start, end := p.flagSpan(f)
	p.plan.Add(rule, start, end, false, format, args...)
}

func (p *planner) flagSpan(f *shellparse.Flag) (int, int) {
	last := max(f.Word, f.ValueWord)
	return p.inv.Words[f.Word].Start, p.inv.Words[last].End
}

// flagText returns a flag as written, its value included.
func (p *planner) flagText(f *shellparse.Flag) string {
	start, end := p.flagSpan(f)
	return strings.Join(strings.Fields(string(p.src[start:end])), " ")
}

// appendTo plans an insertion of text at the end of a flag's value.
func (p *planner) appendTo(f *shellparse.Flag, text string) {
	w := p.inv.Words[f.ValueWord]
	p.plan.Edits = append(p.plan.Edits, edit.Edit{Start: w.AppendAt, End: w.AppendAt, Text: text})
}
