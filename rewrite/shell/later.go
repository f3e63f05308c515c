package shell

import (
	"fmt"
	"strings"

	"github.com/rofix/rofix/rewrite/encoding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/textpos"
	"github.com/rofix/rofix/shellparse"
)

// This file reads what a script does to a container after its run or
// create command, for policy.Judge: whether a docker exec or docker cp
// changes its root (Role.ChangedBy), and whether a created container is
// ever started (Role.NeverStarted). A container is matched by its --name
// or by the variable the command's output is assigned to (CID=$(docker
// run -d ...), later "$CID" or ${CID}).

// A Use is an exec, cp or start command of a script, as the judgement
// reads it.
type Use struct {
	// Kind is "exec", "cp", "start", or "volumes-from" for a run command
	// taking the volumes of the container it names.
	Kind string
	// Containers are the words naming containers, as values ("web",
	// "${CID}"; cp's operand without its ":PATH").
	Containers []string
	// Command is exec's command, word values.
	Command []string
	// Into is true for a cp into the container.
	Into bool
	// Paths are cp's operands that name a container, as written
	// ("web:/app/out").
	Paths []string
	// Start is the command's offset in its script (in the host, for a
	// Context's uses); Line its line, and
	// Text its first words as written, for messages; Words their spans in
	// the script (start, end pairs).
	Start, Line int
	Text        string
	Words       [][2]int
}

// Context is what the file around a script says about its containers,
// for a script embedded in a host file whose scripts share containers
// (the steps of a CI job, the Exec lines of a unit, a Makefile's recipes).
type Context struct {
	// Uses are the exec, cp and start commands of the whole host file,
	// their Containers and Text in host text, their Line the host's.
	Uses []Use
	// HostText turns the script's text into the host's (placeholders
	// back into the host expressions); nil keeps it.
	HostText func(string) string
	// HostOffset turns an offset of the script into the host's.
	HostOffset func(int) int
}

// FindUses returns the exec, cp and start commands of a script.
func FindUses(src []byte) ([]Use, error) {
	if err := encoding.Check(src, false); err != nil {
		return nil, err
	}
	res, err := shellparse.Find(src, shellparse.DialectFor(src))
	if err != nil {
		return nil, err
	}
	return uses(src, res.ContainerCommands, res.Invocations), nil
}

func uses(src []byte, cmds []*shellparse.ContainerCommand, invs []*shellparse.Invocation) []Use {
	out := volumesFromUses(src, invs)
	if len(cmds) == 0 {
		return out
	}
	pos := textpos.New(src)
	for _, cc := range cmds {
		u := Use{Kind: cc.Kind, Into: cc.Into, Start: cc.Start, Line: pos.Pos(cc.Start).Line}
		for _, i := range cc.Containers {
			v := cc.Words[i].Value
			if cc.Kind == "cp" {
				u.Paths = append(u.Paths, cc.Words[i].Text(src))
				v, _, _ = strings.Cut(v, ":")
			}
			u.Containers = append(u.Containers, v)
		}
		for _, w := range cc.Words[cc.Command:] {
			u.Command = append(u.Command, w.Value)
		}
		end := min(cc.Command, len(cc.Words), 6)
		if cc.Kind != "exec" {
			end = min(len(cc.Words), 6)
		}
		words := make([]string, 0, end)
		for _, w := range cc.Words[:end] {
			words = append(words, w.Text(src))
			u.Words = append(u.Words, [2]int{w.Start, w.End})
		}
		u.Text = strings.Join(words, " ")
		out = append(out, u)
	}
	return out
}

// volumesFromUses returns a use of kind "volumes-from" for each
// --volumes-from flag of the run commands: the container it names shares
// its volumes, with their modes, with the command's container.
func volumesFromUses(src []byte, invs []*shellparse.Invocation) []Use {
	var out []Use
	var pos *textpos.Index
	for _, inv := range invs {
		for _, f := range inv.Flags {
			if f.Name != "volumes-from" || f.Value == "" {
				continue
			}
			if pos == nil {
				pos = textpos.New(src)
			}
			u := Use{Kind: "volumes-from", Containers: []string{policy.VolumesFromName(f.Value)}, Start: inv.Start, Line: pos.Pos(inv.Start).Line}
			var words []string
			for _, w := range inv.Words[:inv.Sub+1] {
				words = append(words, w.Text(src))
				u.Words = append(u.Words, [2]int{w.Start, w.End})
			}
			u.Text = strings.Join(words, " ")
			out = append(out, u)
		}
	}
	return out
}

// later holds the uses a script's containers are judged by.
type later struct {
	uses []Use
	norm func(string) string // script text to host text
	off  func(int) int       // script offset to the uses' offsets
}

// sharedBy returns where another run command takes inv's volumes
// (--volumes-from), "" when none does: a :ro added here would make them
// read-only there too.
func (l *later) sharedBy(inv *shellparse.Invocation) string {
	rs := l.refs(inv)
	for _, u := range l.uses {
		if u.Kind == "volumes-from" && namesAny(u.Containers, rs) {
			return fmt.Sprintf("line %d: %s", u.Line, u.Text)
		}
	}
	return ""
}

// refs returns the words that name inv's container in later commands: its
// --name value and "${VAR}" for the variable its output is assigned to.
func (l *later) refs(inv *shellparse.Invocation) []string {
	var out []string
	for _, f := range inv.Flags {
		if f.Name == "name" && f.Value != "" && !strings.Contains(f.Value, "${_}") {
			out = append(out, l.norm(f.Value))
		}
	}
	if inv.AssignedTo != "" {
		out = append(out, "${"+inv.AssignedTo+"}")
	}
	return out
}

// role records on r what the later commands say about inv's container:
// ChangedBy, NeverStarted, and the paths docker cp names in it. mounts are
// its mount targets (writes there do not change its root).
func (l *later) role(inv *shellparse.Invocation, mounts []string, r *policy.Role) {
	rs := l.refs(inv)
	if len(rs) == 0 {
		return
	}
	changedBy := ""
	started, use := !inv.Create, ""
	after := l.off(inv.End)
	for _, u := range l.uses {
		if u.Start < after || !namesAny(u.Containers, rs) {
			continue // only what follows the command changes or starts it
		}
		where := fmt.Sprintf("line %d: %s", u.Line, u.Text)
		switch u.Kind {
		case "start":
			started = true
		case "cp":
			r.Paths = append(r.Paths, u.Paths...)
			if use == "" {
				use = where
			}
			if u.Into && changedBy == "" {
				changedBy = where + ", a copy into it"
			}
		case "exec":
			if what := policy.ChangesRoot(u.Command, mounts); what != "" && changedBy == "" {
				changedBy = where + " " + what
			}
		}
	}
	r.ChangedBy = changedBy
	if !started {
		if use == "" {
			use = "no docker start names it"
		}
		r.NeverStarted = use
	}
}

func namesAny(containers, refs []string) bool {
	for _, c := range containers {
		for _, r := range refs {
			if c == r {
				return true
			}
		}
	}
	return false
}
