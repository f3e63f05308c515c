// Package shell hardens the container run commands of shell scripts: every
// docker, podman and nerdctl run or create that shellparse finds gets the
// flags it lacks (--read-only, --tmpfs for the policy's scratch paths,
// --security-opt no-new-privileges) inserted right after its run word, and
// its bind mounts the read-only mode the policy asks for. Everything is a
// byte edit on the original script; Verify re-parses the result and checks
// that exactly the planned words changed.
package shell

import (
	"errors"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/shellparse"
)

// Plan returns the edits and findings that harden every run command of a
// shell script. The dialect comes from the shebang (POSIX for sh and dash,
// falling back to bash when the script does not parse as POSIX); name is
// only used in messages.
func Plan(name string, src []byte, pol policy.Policy) (*finding.Plan, error) {
	d := shellparse.DialectFor(src)
	res, err := shellparse.Find(src, d)
	if err != nil {
		var pe *shellparse.Error
		if errors.As(err, &pe) {
			return nil, finding.Errorf(pe.Offset, "%s", pe.Msg)
		}
		return nil, err
	}
	plan := &finding.Plan{}
	dirs := readDirectives(src, res.Comments, plan)
	if dirs.file {
		return plan, nil
	}
	for _, s := range res.Skipped {
		if !dirs.forSpan(s.Start, s.End).All {
			plan.Add(finding.Syntax, s.Start, s.End, false, "%s", s.Reason)
		}
	}
	var expect []expected
	for _, inv := range res.Invocations {
		ig := dirs.forSpan(inv.Start, inv.End)
		p := planner{src: src, inv: inv, pol: pol, ig: ig, plan: plan}
		expect = append(expect, p.run())
	}
	if len(plan.Edits) > 0 {
		plan.Verify = func(out []byte) error { return verify(src, out, d, res, expect, plan.Edits) }
	}
	return plan, nil
}
