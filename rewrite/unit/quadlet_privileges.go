package unit

import (
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// This file is the Quadlet side of the opt-in rules cap-drop and
// non-root: it reads a .container unit's DropCapability=, AddCapability=,
// User= and Group= (and --cap-drop, --cap-add, --user in PodmanArgs=),
// and adds what policy.Apply decides as settings of their own:
// DropCapability=all, AddCapability=CAP ... (one setting, the names
// separated by spaces), User=UID and Group=GID. The decisions are the
// policy's.

// readPrivileges records on c what the unit says of its capabilities and
// user, and whether it has or gets no-new-privileges.
func (q *quadlet) readPrivileges(pa podmanArgs, c *policy.Container) {
	if u := q.last("User"); u != nil {
		c.UserSet, c.User = true, q.u.value(u)
		if g := q.last("Group"); g != nil && q.u.value(g) != "" {
			c.User += ":" + q.u.value(g)
		}
		if strings.Contains(c.User, "%") {
			c.User = "$" // a specifier (%U): known only when the unit starts
		}
	}
	if pa.userSet {
		c.UserSet, c.User = true, pa.user // PodmanArgs= come after User=
	}
	read := func(key string, list []string) []string {
		for _, e := range q.u.in("Container", key) {
			if list == nil {
				list = []string{}
			}
			v := q.u.value(e)
			if strings.ContainsAny(v, "%$") {
				c.CapsDynamic = true
				continue
			}
			list = append(list, strings.Fields(v)...)
		}
		return list
	}
	c.CapDrop, c.CapAdd = read("DropCapability", pa.capDrop), read("AddCapability", pa.capAdd)
	c.CapsDynamic = c.CapsDynamic || pa.capsDynamic
	nnp := q.last("NoNewPrivileges")
	switch pa.nnp {
	case policy.On:
		c.NoNewPrivs = true
	case policy.Absent:
		c.NoNewPrivs = nnp == nil && !q.ig.Skips(finding.NoNewPrivileges) || nnp != nil && boolOf(q.u.value(nnp)) == policy.On
	}
}

// privileges adds the user and the capabilities policy.Apply decided, and
// reports the findings of the opt-in rules (those on only), on the
// [Container] header.
func (q *quadlet) privileges(a policy.Applied) {
	for _, n := range a.PrivNotes {
		switch {
		case n.Quiet:
			q.plan.Note(n.Rule, q.at, q.at, "%s", n.Text)
		case !n.Fixed:
			q.plan.Add(n.Rule, q.at, q.at, false, "%s", n.Text)
		case n.Rule == finding.NonRoot:
			uid, gid, _ := strings.Cut(a.User, ":")
			said := "User=" + uid
			q.add("User", uid)
			if gid != "" && q.last("Group") == nil { // a Group= of the unit is kept
				q.add("Group", gid)
				said += ", Group=" + gid
			}
			q.plan.Add(n.Rule, q.at, q.at, true, "%s added: %s", said, n.Text)
		case n.Rule == finding.CapDrop:
			said := "DropCapability=all"
			q.add("DropCapability", "all")
			if len(a.CapAdd) > 0 {
				caps := strings.Join(a.CapAdd, " ")
				q.add("AddCapability", caps)
				said += ", AddCapability=" + caps
			}
			q.plan.Add(n.Rule, q.at, q.at, true, "%s added: %s", said, n.Text)
		}
	}
}
