package shellparse

import (
	"fmt"
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// An Invocation is one run or create command of a container engine.
type Invocation struct {
	Engine Engine
	Create bool
	// Words are the command's words from the program word (docker) to the
	// end of the command, wrappers excluded.
	Words []Word
	// Sub is the index of the run or create word.
	Sub int
	Args
	// Start and End span the whole command, wrappers and assignments
	// included.
	Start, End int
	// AssignedTo is the variable the command's output is assigned to
	// (CID=$(docker run -d ...)), or "".
	AssignedTo string
}

// A Skipped command looks like a run command but cannot be analysed.
type Skipped struct {
	Start, End int
	Reason     string
}

// A Comment is a comment of the script ("# ..."), with its span.
type Comment struct {
	Start, End int
	Text       string
}

// A Result is what Find found in a script.
type Result struct {
	Invocations []*Invocation
	Skipped     []Skipped
	Comments    []Comment
	// ContainerCommands are the exec, cp and start commands (see later.go).
	ContainerCommands []*ContainerCommand
	// Dialect is the dialect the text parsed as: the one asked for, or
	// Bash for a POSIX script that uses bash syntax.
	Dialect Dialect

	assigned []assignment // the command substitutions assigned to variables
}

// Find parses src as dialect d and returns every run and create command of
// docker, podman and nerdctl in it, in source order. A parse error is an
// *Error.
func Find(src []byte, d Dialect) (*Result, error) {
	f, parsed, err := parse(src, d)
	if err != nil {
		return nil, err
	}
	r := &Result{Dialect: parsed}
	r.walk(f, wordCtx{src: src}, 0)
	r.assign(r.assigned)
	r.assigned = nil
	return r, nil
}

// maxDepth bounds sh -c recursion.
const maxDepth = 4

func (r *Result) walk(f *syntax.File, c wordCtx, depth int) {
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.Comment:
			start := c.off(n.Hash)
			r.Comments = append(r.Comments, Comment{Start: start, End: start + 1 + len(n.Text), Text: "#" + n.Text})
		case *syntax.CallExpr:
			r.call(n, c, depth)
		case *syntax.Assign:
			r.assigned = append(r.assigned, assignedSubsts(n, c)...)
		}
		return true
	})
}

func (r *Result) call(call *syntax.CallExpr, c wordCtx, depth int) {
	if len(call.Args) == 0 || irrelevant(call.Args[0]) {
		return
	}
	words := make([]Word, len(call.Args))
	for i, a := range call.Args {
		words[i] = c.word(a)
	}
	start, end := c.off(call.Pos()), words[len(words)-1].End
	i, ok := skipWrappers(words)
	if !ok || i >= len(words) {
		return
	}
	prog := words[i]
	if !prog.Static {
		if isRunWord(words, i+1) {
			r.Skipped = append(r.Skipped, Skipped{prog.Start, prog.End,
				fmt.Sprintf("engine unknown: %s is not a literal program name; the command is not analysed", prog.Text(c.src))})
		}
		return
	}
	base := path.Base(prog.Value)
	if isShell(base) {
		if depth < maxDepth {
			r.shellC(call.Args[i+1:], words[i+1:], c, DialectOf(base), depth)
		}
		return
	}
	e, ok := engineOf(base)
	if !ok {
		return
	}
	words = words[i:]
	sub, create, skip := r.subcommand(e, words, c)
	if skip != "" {
		r.Skipped = append(r.Skipped, Skipped{prog.Start, end, skip})
	}
	if sub < -1 {
		if cc := containerCommand(e, words, -sub-2, start, end); cc != nil {
			r.ContainerCommands = append(r.ContainerCommands, cc)
		}
	}
	if sub < 0 {
		return
	}
	inv := &Invocation{Engine: e, Create: create, Words: words, Sub: sub, Start: start, End: end}
	args, ferr := ParseArgs(e, create, words, sub+1)
	if ferr != nil {
		w := words[ferr.Word]
		r.Skipped = append(r.Skipped, Skipped{w.Start, w.End, ferr.Msg + "; command not analysed"})
		return
	}
	inv.Args = args
	r.Invocations = append(r.Invocations, inv)
}

// irrelevant reports, from the first word alone, that a command can
// neither be nor wrap a run command: a literal program name that is no
// engine, shell or wrapper. Most commands of a script are such, and this
// spares converting their words.
func irrelevant(first *syntax.Word) bool {
	lit := first.Lit()
	if lit == "" || strings.ContainsAny(lit, "\\=") {
		return false // quoted, expanded, escaped or an assignment: look closer
	}
	base := path.Base(lit)
	_, engine := engineOf(base)
	_, wrapper := findWrapper(base)
	return !engine && !wrapper && !isShell(base)
}

// isRunWord reports whether words[i:] start with run, create, or
// container run/create.
func isRunWord(words []Word, i int) bool {
	if i < len(words) && words[i].Value == "container" {
		i++
	}
	return i < len(words) && (words[i].Value == "run" || words[i].Value == "create")
}

// subcommand skips the root flags and finds run or create. sub is
// negative when the command is something else: -j-2 when another
// subcommand is the word at j (exec, say; see containerCommand), -1 when
// there is none; skip explains a command that cannot be analysed.
func (r *Result) subcommand(e Engine, words []Word, c wordCtx) (sub int, create bool, skip string) {
	j := 1
	for j < len(words) {
		v := words[j].Value
		if words[j].Hidden || !words[j].Static && strings.HasPrefix(v, "-") {
			return -1, false, ""
		}
		if len(v) < 2 || v[0] != '-' || v == "--" {
			break
		}
		var spec flagSpec
		var ok bool
		attached := false
		if strings.HasPrefix(v, "--") {
			name, _, has := strings.Cut(v[2:], "=")
			spec, ok = lookupRoot(name, 0, e)
			attached = has
		} else {
			// a cluster of root shorthands: bools, then at most one value
			for k := 1; k < len(v); k++ {
				spec, ok = lookupRoot("", v[k], e)
				if !ok || spec.value {
					attached = k+1 < len(v)
					break
				}
			}
		}
		if !ok {
			if isRunWord(words, j+1) || isRunWord(words, j+2) {
				return -1, false, fmt.Sprintf("unknown %s flag %s before the subcommand; not analysed", e, v)
			}
			return -1, false, ""
		}
		j++
		if spec.value && !attached {
			j++
		}
	}
	if j < len(words) && words[j].Value == "container" {
		j++
	}
	if j < len(words) && words[j].Static {
		switch words[j].Value {
		case "run":
			return j, false, ""
		case "create":
			return j, true, ""
		}
		return -j - 2, false, ""
	}
	return -1, false, ""
}

func isShell(base string) bool {
	switch base {
	case "sh", "bash", "dash", "ash", "ksh", "mksh":
		return true
	}
	return false
}

// shellC handles sh -c 'script': a single-quoted literal script is parsed
// and searched with offsets mapped into the outer text (a single-quoted
// string holds its bytes verbatim).
func (r *Result) shellC(args []*syntax.Word, words []Word, c wordCtx, d Dialect, depth int) {
	sawC := false
	j := 0
	for ; j < len(words); j++ {
		v := words[j].Value
		if !words[j].Static || len(v) < 2 || v[0] != '-' && v[0] != '+' {
			break
		}
		if v == "--" {
			j++
			break
		}
		if strings.HasPrefix(v, "--") {
			if v == "--rcfile" || v == "--init-file" {
				j++
			}
			continue
		}
		for _, ch := range v[1:] {
			switch ch {
			case 'c':
				sawC = true
			case 'o', 'O':
				j++
			}
		}
	}
	if !sawC || j >= len(words) {
		return
	}
	var q *syntax.SglQuoted
	if len(args[j].Parts) == 1 {
		q, _ = args[j].Parts[0].(*syntax.SglQuoted)
	}
	if q == nil || q.Dollar {
		if mentionsRun(words[j].Value) {
			r.Skipped = append(r.Skipped, Skipped{words[j].Start, words[j].End,
				"the script of sh -c is not a single-quoted literal: its run commands are not analysed"})
		}
		return
	}
	inner := wordCtx{src: c.src, base: c.off(q.Left) + 1}
	body := c.src[inner.base:c.off(q.Right)]
	f, _, err := parse(body, d)
	if err != nil {
		return
	}
	r.walk(f, inner, depth+1)
}

// mentionsRun reports whether a script text seems to hold a run command.
func mentionsRun(script string) bool {
	for _, e := range []string{"docker", "podman", "nerdctl"} {
		if i := strings.Index(script, e); i >= 0 {
			rest := script[i+len(e):]
			if strings.Contains(rest, " run") || strings.Contains(rest, " create") {
				return true
			}
		}
	}
	return false
}
