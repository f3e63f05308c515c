package shell

import (
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/shellparse"
)

// This file is the shell side of the opt-in rules cap-drop and non-root:
// it reads a run command's --cap-add, --cap-drop and -u/--user (every
// spelling the flag grammar accepts: --cap-drop=ALL, --cap-drop all,
// CAP_SYS_ADMIN, lower case; a value with a variable is dynamic), and
// inserts what policy.Apply decides with the other flags rofix adds:
// --user UID:GID, --cap-drop ALL and one --cap-add CAP per capability.
// The decisions are the policy's; --privileged is policy.Judge's.

// readPrivileges records on c what the command says of its capabilities
// and user, and whether it has or gets no-new-privileges.
func (p *planner) readPrivileges(s state, c *policy.Container) {
	for _, f := range p.inv.Flags {
		switch f.Name {
		case "user":
			c.UserSet = true
			c.User = f.Value // a variable stays a "${NAME}" placeholder: an unknown user
		case "cap-add":
			c.CapAdd = p.capItems(f, c.CapAdd, &c.CapsDynamic)
		case "cap-drop":
			c.CapDrop = p.capItems(f, c.CapDrop, &c.CapsDynamic)
		}
	}
	c.NoNewPrivs = s.nnp.state == policy.On ||
		s.nnp.state == policy.Absent && !p.ig.Skips(finding.NoNewPrivileges) // added by run
}

// capItems appends the capabilities of one --cap-add or --cap-drop flag
// to list (never nil after it). Podman and nerdctl split a value on
// commas (a string slice); docker takes it whole.
func (p *planner) capItems(f shellparse.Flag, list []string, dynamic *bool) []string {
	if list == nil {
		list = []string{}
	}
	if !f.Static {
		*dynamic = true
		return list
	}
	if p.inv.Engine == shellparse.Docker {
		return append(list, f.Value)
	}
	return append(list, strings.Split(f.Value, ",")...)
}

// privileges returns the flags of the user and the capabilities
// policy.Apply decided, and reports the findings of the opt-in rules
// (those on only), on the command's run words.
func (p *planner) privileges(a policy.Applied, start, end int) []string {
	var flags []string
	for _, n := range a.PrivNotes {
		switch {
		case n.Quiet:
			p.plan.Note(n.Rule, start, end, "%s", n.Text)
		case !n.Fixed:
			p.plan.Add(n.Rule, start, end, false, "%s", n.Text)
		case n.Rule == finding.NonRoot:
			f := "--user " + a.User
			flags = append(flags, f)
			p.plan.Add(n.Rule, start, end, true, "added %s: %s", f, n.Text)
		case n.Rule == finding.CapDrop:
			added := []string{"--cap-drop ALL"}
			for _, c := range a.CapAdd {
				added = append(added, "--cap-add "+c)
			}
			flags = append(flags, added...)
			p.plan.Add(n.Rule, start, end, true, "added %s: %s", strings.Join(added, " "), n.Text)
		}
	}
	return flags
}
