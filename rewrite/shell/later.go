package shell

import (
	"fmt"
	"strings"

	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/textpos"
	"github.com/rofix/rofix/shellparse"
)

// This file reads what a script does to a container after its run or
// create command, for policy.Judge: whether a docker exec or docker cp of
// the same script changes its root (Role.ChangedBy), and whether a created
// container is ever started (Role.NeverStarted). A container is matched by
// its --name or by the variable the command's output is assigned to
// (CID=$(docker run -d ...), later "$CID" or ${CID}).

// later holds what the script does to each container.
type later struct {
	src  []byte
	pos  *textpos.Index
	cmds []*shellparse.ContainerCommand
}

// refs returns the words that name inv's container in later commands: its
// --name value and "${VAR}" for the variable its output is assigned to.
func refs(inv *shellparse.Invocation) []string {
	var out []string
	for _, f := range inv.Flags {
		if f.Name == "name" && f.Value != "" && !strings.Contains(f.Value, "${_}") {
			out = append(out, f.Value)
		}
	}
	if inv.AssignedTo != "" {
		out = append(out, "${"+inv.AssignedTo+"}")
	}
	return out
}

// names reports whether a container word (or cp's "CONTAINER:PATH")
// names one of refs.
func names(w shellparse.Word, refs []string, cp bool) bool {
	v := w.Value
	if cp {
		v, _, _ = strings.Cut(v, ":")
	}
	for _, r := range refs {
		if v == r {
			return true
		}
	}
	return false
}

// role returns what the script's later commands say about inv's container.
func (l *later) role(inv *shellparse.Invocation) (changedBy, neverStarted string) {
	rs := refs(inv)
	if len(rs) == 0 {
		return "", ""
	}
	started, use := !inv.Create, ""
	for _, cc := range l.cmds {
		for _, i := range cc.Containers {
			if !names(cc.Words[i], rs, cc.Kind == "cp") {
				continue
			}
			switch cc.Kind {
			case "start":
				started = true
			case "cp":
				if use == "" {
					use = l.describe(cc, len(cc.Words))
				}
				if cc.Into && changedBy == "" {
					changedBy = l.describe(cc, len(cc.Words)) + ": a file copied into it"
				}
			case "exec":
				if changedBy != "" {
					continue
				}
				var words []string
				for _, w := range cc.Words[cc.Command:] {
					words = append(words, w.Value)
				}
				if what := policy.ChangesRoot(words); what != "" {
					changedBy = l.describe(cc, cc.Command) + " " + what
				}
			}
		}
	}
	if !started {
		if use == "" {
			use = "no docker start names it"
		}
		return changedBy, use
	}
	return changedBy, ""
}

// describe names a later command for a reason: "line 12: docker exec -u
// root $CID", its words up to end, at most a few.
func (l *later) describe(cc *shellparse.ContainerCommand, end int) string {
	end = min(end, len(cc.Words), 6)
	words := make([]string, 0, end)
	for _, w := range cc.Words[:end] {
		words = append(words, w.Text(l.src))
	}
	return fmt.Sprintf("line %d: %s", l.pos.Pos(cc.Start).Line, strings.Join(words, " "))
}
