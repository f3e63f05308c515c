package shellparse

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// This file finds what a script does to its containers after running them:
// the exec, cp and start commands of docker, podman and nerdctl, and the
// variable a run command's output is assigned to (CID=$(docker run -d
// ...)), so that the shell engine can tell a service from a container the
// script later changes or never starts.

// A ContainerCommand is an exec, cp or start command of a container
// engine, with the words that name its containers.
type ContainerCommand struct {
	Engine Engine
	// Kind is "exec", "cp" or "start".
	Kind string
	// Words are the command's words from the program word on.
	Words []Word
	// Containers are the indexes of the words that name a container:
	// exec's container, cp's "CONTAINER:PATH" operand, start's operands.
	Containers []int
	// Command is the index of the first word of exec's command
	// (len(Words) when there is none).
	Command int
	// Into is true for a cp whose destination is in the container.
	Into bool
	// Start and End span the command.
	Start, End int
}

// containerCommand returns words[j:] as a container command when
// words[j] is exec, cp or start (after the root flags), or nil.
func containerCommand(e Engine, words []Word, j, start, end int) *ContainerCommand {
	if j >= len(words) || !words[j].Static {
		return nil
	}
	cc := &ContainerCommand{Engine: e, Kind: words[j].Value, Words: words, Command: len(words), Start: start, End: end}
	var operands []int
	k := j + 1
	for ; k < len(words); k++ {
		v := words[k].Value
		if v == "--" {
			k++
			break
		}
		if len(v) < 2 || v[0] != '-' || !words[k].Static {
			break
		}
		if takesValue(cc.Kind, v) {
			k++
		}
	}
	switch cc.Kind {
	case "exec":
		if k < len(words) {
			cc.Containers = []int{k}
			cc.Command = k + 1
		}
		return cc
	case "cp":
		for ; k < len(words); k++ {
			operands = append(operands, k)
		}
		for n, i := range operands {
			if name, _, ok := strings.Cut(words[i].Value, ":"); ok && name != "" && !strings.Contains(name, "/") {
				cc.Containers = append(cc.Containers, i)
				cc.Into = n == len(operands)-1
			}
		}
		return cc
	case "start":
		for ; k < len(words); k++ {
			cc.Containers = append(cc.Containers, k)
		}
		return cc
	}
	return nil
}

// takesValue reports whether a flag of exec, cp or start consumes the
// next word: docker's, podman's and nerdctl's value flags of these
// commands, unless the value is attached (--user=root, -uroot).
func takesValue(kind, flag string) bool {
	if strings.Contains(flag, "=") {
		return false
	}
	if strings.HasPrefix(flag, "--") {
		switch flag[2:] {
		case "env", "env-file", "user", "workdir", "detach-keys", "preserve-fds", "preserve-fd",
			"checkpoint", "checkpoint-dir", "filter", "uidmap", "gidmap":
			return true
		}
		return false
	}
	if kind != "exec" {
		return false
	}
	last := flag[len(flag)-1]
	return strings.ContainsRune("euw", rune(last)) && !strings.ContainsAny(flag[1:len(flag)-1], "euw")
}

// assignments records the variables assigned the output of a command
// substitution: the span of each $(...) or `...` and the variable's name.
type assignment struct {
	name       string
	start, end int
}

func assignedSubsts(a *syntax.Assign, c wordCtx) []assignment {
	if a.Name == nil || a.Value == nil {
		return nil
	}
	var out []assignment
	var parts func(ps []syntax.WordPart)
	parts = func(ps []syntax.WordPart) {
		for _, p := range ps {
			switch p := p.(type) {
			case *syntax.CmdSubst:
				out = append(out, assignment{a.Name.Value, c.off(p.Pos()), c.off(p.End())})
			case *syntax.DblQuoted:
				parts(p.Parts)
			}
		}
	}
	parts(a.Value.Parts)
	return out
}

// assign sets the AssignedTo of the invocations inside an assignment's
// command substitution.
func (r *Result) assign(as []assignment) {
	for _, inv := range r.Invocations {
		for _, a := range as {
			if a.start <= inv.Start && inv.End <= a.end {
				inv.AssignedTo = a.name
			}
		}
	}
}
