// Package shell hardens the container run commands of shell scripts: every
// docker, podman and nerdctl run or create that shellparse finds gets the
// flags it lacks (--read-only, --tmpfs for the policy's scratch paths,
// --security-opt no-new-privileges) inserted right after its run word, and
// its bind mounts the read-only mode the policy asks for. Everything is a
// byte edit on the original script; Verify re-parses the result and checks
// that exactly the planned words changed.
//
// Choices where the flags interact:
//   - explicit opt-outs (--read-only=false, no-new-privileges=false, a bind
//     with rw or readonly=false) are kept and reported; a container that is
//     explicitly not read-only gets no tmpfs;
//   - podman mounts a tmpfs on /tmp, /var/tmp and /run itself when
//     --read-only is set (--read-only-tmpfs defaults to true), so those
//     paths get no --tmpfs; with --read-only-tmpfs=false podman mounts
//     nothing, so they get a --tmpfs as under docker (read-only without a
//     writable /tmp crashes at the first temp file);
//   - --tmpfs PATH is not added when a mount already targets PATH, or when
//     a mount target is not static (it might be PATH: a duplicate mount
//     point fails the run);
//   - nerdctl ignores no-new-privileges:true, so the bare form is added;
//   - arguments hidden in "${args[@]}", "$@" or $OPTS before the image are
//     reported; the flags are still inserted, before them;
//   - with the opt-in rules cap-drop and non-root on, --user UID:GID,
//     --cap-drop ALL and --cap-add CAP are inserted with the other flags;
//     a command's own --cap-add, --cap-drop and -u/--user are kept
//     (privileges.go);
//   - a container that is no service is judged by policy.Judge: privileged,
//     Windows and never-started ones are left alone, jobs and containers
//     the script later changes (docker exec, docker cp into them; see
//     later.go) keep a writable root.
package shell

import (
	"errors"
	"strings"

	"github.com/rofix/rofix/rewrite/directive"
	"github.com/rofix/rofix/rewrite/encoding"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/shellparse"
)

// Plan returns the edits and findings that harden every run command of a
// shell script. The dialect comes from the shebang (POSIX for sh and dash,
// falling back to bash when the script does not parse as POSIX, mksh for
// ksh, bash otherwise); name is not needed for that and is not used. A
// script that does not parse is an error when it may hold a run command
// (shellparse.MentionsRun), else a plan with only a note (a finding shown
// with -v).
func Plan(name string, src []byte, pol policy.Policy) (*finding.Plan, error) {
	return PlanIn(name, src, pol, nil)
}

// PlanIn is Plan for a script embedded in a host file: ctx holds the
// host's exec, cp and start commands, which decide (with the script's
// own) whether a container is changed later or never started. A nil ctx
// is a script on its own.
func PlanIn(name string, src []byte, pol policy.Policy, ctx *Context) (*finding.Plan, error) {
	// The parser skips NUL bytes, so a binary file could parse: refuse it.
	if err := encoding.Check(src, false); err != nil {
		return nil, err
	}
	d := shellparse.DialectFor(src)
	res, err := shellparse.Find(src, d)
	if err != nil {
		var pe *shellparse.Error
		if !errors.As(err, &pe) {
			return nil, err
		}
		// A script the parser cannot read is no concern of rofix's
		// unless it may hold a run command: then nothing is changed,
		// and the error says where and why.
		if !shellparse.MentionsRun(src) {
			plan := &finding.Plan{}
			plan.Note(finding.Syntax, pe.Offset, pe.Offset, "%s; holds no run command, left alone", pe.Msg)
			return plan, nil
		}
		return nil, finding.Errorf(pe.Offset, "%s; nothing was changed", pe.Msg)
	}
	plan := &finding.Plan{}
	dirs := readDirectives(src, res.Comments, plan)
	if dirs.file {
		return &finding.Plan{}, nil
	}
	for _, s := range res.Skipped {
		if !dirs.forSpan(s.Start, s.End).All {
			plan.Add(finding.Syntax, s.Start, s.End, false, "%s", s.Reason)
		}
	}
	var expect []expected
	l := &later{norm: func(s string) string { return s }, off: func(o int) int { return o }}
	switch {
	case ctx == nil:
		l.uses = uses(src, res.ContainerCommands, res.Invocations)
	default:
		l.uses = ctx.Uses
		if ctx.HostText != nil {
			l.norm = ctx.HostText
		}
		if ctx.HostOffset != nil {
			l.off = ctx.HostOffset
		}
	}
	for _, inv := range res.Invocations {
		// Rules a config file switches off are skipped like a directive's.
		ig := dirs.forSpan(inv.Start, inv.End).Merge(directive.Ignore{Rules: pol.Off})
		plan.Subject = subject(src, inv)
		p := planner{src: src, inv: inv, pol: pol, ig: ig, plan: plan, later: l}
		expect = append(expect, p.run())
	}
	plan.Subject = nil
	if len(plan.Edits) > 0 {
		plan.Verify = func(out []byte) error { return verify(src, out, res.Dialect, res, expect, plan.Edits) }
	}
	return plan, nil
}

// subject names a run command for reports: its words up to the run word.
func subject(src []byte, inv *shellparse.Invocation) *finding.Subject {
	words := make([]string, 0, inv.Sub+1)
	for _, w := range inv.Words[:inv.Sub+1] {
		words = append(words, w.Text(src))
	}
	return &finding.Subject{Kind: "command", Name: strings.Join(words, " "), Start: inv.Start}
}
