package policy

import (
	"encoding/json"
	"fmt"
	"strings"
)

// This file reads the little of a Dockerfile that image knowledge needs:
// the stages (FROM [--platform=P] IMAGE [AS NAME]), their VOLUME and USER.
// It understands line continuations (with the "# escape=" directive),
// comments, and ARG defaults declared before the first FROM.

// A Stage is one FROM of a Dockerfile.
type Stage struct {
	// From is the image or stage name after FROM, with ARG values
	// substituted; Unresolved is true when a variable had no value.
	From       string
	Unresolved bool
	// Name is the stage's AS name ("" without one).
	Name string
	// Volumes are the VOLUME paths, User the last USER of the stage.
	Volumes []string
	User    string
	// Line is the line of the FROM instruction.
	Line int
}

// A Dockerfile is the list of a Dockerfile's stages.
type Dockerfile struct {
	Stages []Stage
}

// FinalStage is what the last stage of a Dockerfile builds on: the image
// it starts from (following FROM references to earlier stages), and the
// volumes and user it inherits or declares.
type FinalStage struct {
	// Base is the image the chain of stages starts from ("" when unknown:
	// no stage, an unresolved variable, or "scratch").
	Base    string
	Volumes []string
	User    string
}

// ParseDockerfile reads a Dockerfile's stages. args overrides the
// defaults of the ARGs declared before the first FROM (compose's build
// args). An error names the line.
func ParseDockerfile(src []byte, args map[string]string) (*Dockerfile, error) {
	d := &Dockerfile{}
	globals := map[string]string{}
	known := map[string]bool{}
	for _, in := range instructions(string(src)) {
		switch in.cmd {
		case "ARG":
			if len(d.Stages) > 0 {
				continue // a stage's ARG matters only inside it
			}
			for _, a := range strings.Fields(in.args) {
				name, def, hasDef := strings.Cut(a, "=")
				if v, ok := args[name]; ok {
					globals[name], known[name] = v, true
				} else if hasDef {
					globals[name], known[name] = unquote(def), true
				}
			}
		case "FROM":
			st, err := parseFrom(in, globals, known)
			if err != nil {
				return nil, err
			}
			d.Stages = append(d.Stages, st)
		case "VOLUME":
			if len(d.Stages) == 0 {
				return nil, fmt.Errorf("line %d: VOLUME before the first FROM", in.line)
			}
			st := &d.Stages[len(d.Stages)-1]
			st.Volumes = append(st.Volumes, volumePaths(in.args)...)
		case "USER":
			if len(d.Stages) == 0 {
				return nil, fmt.Errorf("line %d: USER before the first FROM", in.line)
			}
			d.Stages[len(d.Stages)-1].User = strings.TrimSpace(in.args)
		}
	}
	return d, nil
}

// Final returns what the last stage builds on.
func (d *Dockerfile) Final() FinalStage {
	var f FinalStage
	if len(d.Stages) == 0 {
		return f
	}
	i := len(d.Stages) - 1
	var chain []Stage
	for seen := 0; seen <= len(d.Stages); seen++ {
		st := d.Stages[i]
		chain = append(chain, st)
		j := d.stageNamed(st.From, i)
		if j < 0 {
			if !st.Unresolved && !strings.EqualFold(st.From, "scratch") {
				f.Base = st.From
			}
			break
		}
		i = j
	}
	// Earliest stage first: volumes add up, the last USER wins.
	for k := len(chain) - 1; k >= 0; k-- {
		for _, v := range chain[k].Volumes {
			if !contains(f.Volumes, v) {
				f.Volumes = append(f.Volumes, v)
			}
		}
		if chain[k].User != "" {
			f.User = chain[k].User
		}
	}
	return f
}

// stageNamed returns the index of the stage before 'before' that name
// refers to (its AS name, case-insensitive, or its index), or -1.
func (d *Dockerfile) stageNamed(name string, before int) int {
	for j := before - 1; j >= 0; j-- {
		if d.Stages[j].Name != "" && strings.EqualFold(d.Stages[j].Name, name) {
			return j
		}
	}
	var n int
	if _, err := fmt.Sscanf(name, "%d", &n); err == nil && fmt.Sprint(n) == name && n < before {
		return n
	}
	return -1
}

func parseFrom(in instruction, globals map[string]string, known map[string]bool) (Stage, error) {
	st := Stage{Line: in.line}
	words := strings.Fields(in.args)
	for len(words) > 0 && strings.HasPrefix(words[0], "--") {
		words = words[1:] // --platform=...
	}
	switch {
	case len(words) == 1:
	case len(words) == 3 && strings.EqualFold(words[1], "AS"):
		st.Name = words[2]
	default:
		return st, fmt.Errorf("line %d: FROM wants IMAGE [AS NAME], got %q", in.line, in.args)
	}
	st.From, st.Unresolved = expandArgs(words[0], globals, known)
	return st, nil
}

// expandArgs substitutes $NAME, ${NAME}, ${NAME:-default} and ${NAME-default}
// in a FROM operand. The second result is true when a variable has no
// value.
func expandArgs(s string, vars map[string]string, known map[string]bool) (string, bool) {
	var b strings.Builder
	unresolved := false
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		var name, def string
		hasDef := false
		if s[i+1] == '{' {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return s, true
			}
			body := s[i+2 : i+end]
			i += end
			name = body
			if k := strings.IndexAny(body, ":-"); k >= 0 {
				name = body[:k]
				rest := body[k:]
				if strings.HasPrefix(rest, ":-") {
					def, hasDef = rest[2:], true
				} else if strings.HasPrefix(rest, "-") {
					def, hasDef = rest[1:], true
				} else {
					return s, true // ${X:+y} and others: not needed for FROM
				}
			}
		} else {
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			name = s[i+1 : j]
			i = j - 1
		}
		switch v := vars[name]; {
		case known[name] && v != "":
			b.WriteString(v)
		case hasDef:
			b.WriteString(def)
		case known[name]:
		default:
			unresolved = true
		}
	}
	return b.String(), unresolved
}

// volumePaths reads VOLUME's operand: a JSON array or words.
func volumePaths(args string) []string {
	args = strings.TrimSpace(args)
	if strings.HasPrefix(args, "[") {
		var list []string
		if json.Unmarshal([]byte(args), &list) == nil {
			return list
		}
	}
	var out []string
	for _, w := range strings.Fields(args) {
		out = append(out, unquote(w))
	}
	return out
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// An instruction is one logical line: its command, upper-cased, and the
// rest, continuations joined.
type instruction struct {
	cmd, args string
	line      int
}

// instructions splits a Dockerfile into logical lines. Comment lines and
// blank lines inside a continuation are dropped, as BuildKit does; a
// "# escape=`" directive on the first lines switches the escape character.
func instructions(src string) []instruction {
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	escape := byte('\\')
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "#") {
			break
		}
		k, v, ok := strings.Cut(strings.TrimSpace(t[1:]), "=")
		if !ok {
			break
		}
		if strings.EqualFold(strings.TrimSpace(k), "escape") && strings.TrimSpace(v) == "`" {
			escape = '`'
		}
	}
	var out []instruction
	var cur strings.Builder
	start := 0
	open := false
	var heredocs []string // terminators of the heredocs still open
	for n, l := range lines {
		t := strings.TrimSpace(l)
		if len(heredocs) > 0 {
			if t == heredocs[0] {
				heredocs = heredocs[1:]
			}
			continue // a heredoc's body (RUN <<EOF ... EOF)
		}
		if t == "" || strings.HasPrefix(t, "#") {
			continue // a comment or a blank line, also inside a continuation
		}
		if !open {
			start = n + 1
			cur.Reset()
		}
		if t[len(t)-1] == escape {
			cur.WriteString(t[:len(t)-1] + " ")
			open = true
			continue
		}
		cur.WriteString(t)
		open = false
		in := newInstruction(cur.String(), start)
		out = append(out, in)
		if in.cmd == "RUN" || in.cmd == "COPY" || in.cmd == "ADD" {
			heredocs = heredocMarkers(in.args)
		}
	}
	if open {
		out = append(out, newInstruction(cur.String(), start))
	}
	return out
}

func newInstruction(text string, line int) instruction {
	cmd, args, _ := strings.Cut(strings.TrimSpace(text), " ")
	if i := strings.IndexByte(cmd, '\t'); i >= 0 {
		cmd, args = cmd[:i], cmd[i+1:]+" "+args
	}
	return instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args), line: line}
}

// heredocMarkers returns the terminators of the heredocs an instruction
// opens: <<EOF, <<-EOF, <<"EOF", <<'EOF'.
func heredocMarkers(text string) []string {
	var out []string
	for {
		i := strings.Index(text, "<<")
		if i < 0 {
			return out
		}
		text = strings.TrimPrefix(text[i+2:], "-")
		word := strings.Trim(strings.SplitN(text, " ", 2)[0], `"'`)
		if word != "" && isWord(word) {
			out = append(out, word)
		}
	}
}

func isWord(s string) bool {
	for _, r := range s {
		if r != '_' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
