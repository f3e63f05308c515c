package embed

import (
	"bytes"
	"path"
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/shellparse"
)

// PlanMakefile hardens the run commands of a Makefile's recipes and of its
// variables that hold one (DEV_ENV_CMD := docker run ..., used as
// "$(DEV_ENV_CMD) make": the definition is edited, and judged with what
// the first recipe that starts with it runs, "make vendor"). Each logical recipe
// line (a tab-started line and its backslash continuations) is one
// command: its @, - and + prefixes and a glued $(Q) are skipped, "$$"
// reads as "$",
// and a make reference ($(VAR), ${VAR}, $X) reads as a shell variable, so
// that the shell engine treats it as a value it cannot see. Text inserted
// into a recipe has its "$" doubled.
func PlanMakefile(name string, src []byte, pol policy.Policy) (*finding.Plan, error) {
	return Plan(name, src, pol, extractMakefile)
}

// extractMakefile returns the recipe lines and variable values of a
// Makefile that mention a container engine. define ... endef blocks are
// skipped.
func extractMakefile(src []byte) ([]*Snippet, error) {
	var out []*Snippet
	engines := engineVariables(src)
	var uses map[string]string // built on the first variable holding a command
	inRecipe, inDefine := false, 0
	for off := 0; off < len(src); {
		end, next := lineEnd(src, off)
		line := src[off:end]
		trimmed := strings.TrimSpace(string(line))
		word, _, _ := strings.Cut(trimmed, " ")
		switch {
		case inDefine > 0:
			if word == "endef" {
				inDefine--
			} else if word == "define" {
				inDefine++
			}
		case len(line) > 0 && line[0] == '\t' && inRecipe:
			// A recipe line and its continuations.
			last := end
			for last > off && src[last-1] == '\\' && next < len(src) {
				last, next = lineEnd(src, next)
			}
			if sn := makeSnippet(src, off+1, last, engines); sn != nil {
				out = append(out, sn)
			}
		case trimmed == "" || trimmed[0] == '#':
		case isConditional(word):
			// ifeq ... endif inside a recipe keeps the recipe going.
		case word == "define" || strings.HasPrefix(trimmed, "define "):
			inDefine++
			inRecipe = false
		case isRuleLine(trimmed):
			inRecipe = true
		default:
			inRecipe = false
			if from, ok := assignedValue(src, off, end); ok {
				last, nx := end, next
				for last > off && src[last-1] == '\\' && nx < len(src) {
					last, nx = lineEnd(src, nx)
				}
				if sn := makeSnippet(src, from, last, engines); sn != nil {
					if uses == nil {
						uses = commandUses(src)
					}
					// What a recipe runs with the variable completes the
					// command for the judgement; it maps to no host byte.
					if use := uses[variableName(src, off, from)]; use != "" && shellparse.MentionsRun(sn.Text) {
						sn.Synthetic(" "+use, last)
					}
					out = append(out, sn)
				}
			}
		}
		// A continued non-recipe line (a long variable) continues too.
		if !(len(line) > 0 && line[0] == '\t' && inRecipe) {
			for end > off && src[end-1] == '\\' && next < len(src) {
				off = next
				end, next = lineEnd(src, off)
			}
		}
		off = next
	}
	return out, nil
}

// assignedValue returns where the value of a variable definition on the
// line [off,end) starts, when the definition can hold a command: "NAME =
// value", ":=", "::=", ":::=" or "?=", optionally after export or
// override ("DEV_ENV_CMD := docker run ..." used as "$(DEV_ENV_CMD) make").
// "+=" appends to a value set elsewhere and "!=" runs its value: neither
// is a command rofix can edit whole.
func assignedValue(src []byte, off, end int) (int, bool) {
	line := string(src[off:end])
	eq := strings.IndexByte(line, '=')
	if eq <= 0 {
		return 0, false
	}
	lhs := line[:eq]
	lhs = strings.TrimRight(lhs, ":?")
	if strings.HasSuffix(lhs, "+") || strings.HasSuffix(lhs, "!") {
		return 0, false
	}
	fields := strings.Fields(lhs)
	for len(fields) > 1 && (fields[0] == "export" || fields[0] == "override") {
		fields = fields[1:]
	}
	if len(fields) != 1 || refName(fields[0]) != fields[0] {
		return 0, false
	}
	from := off + eq + 1
	for from < end && (src[from] == ' ' || src[from] == '\t') {
		from++
	}
	return from, from < end
}

// variableName returns the name a definition line [off, from) defines.
func variableName(src []byte, off, from int) string {
	lhs := strings.TrimRight(strings.TrimSpace(string(src[off:from])), "=")
	fields := strings.Fields(strings.TrimRight(lhs, ":?"))
	if len(fields) == 0 {
		return ""
	}
	return fields[len(fields)-1]
}

// commandUses maps each variable a recipe line starts with ("$(DEV_ENV_CMD)
// make vendor") to the words that follow it there, as long as they are
// plain words ("make vendor"), in the first such recipe line: what the
// command held in the variable runs. A use followed by flags (more of the
// run command) or by nothing is not recorded.
func commandUses(src []byte) map[string]string {
	uses := map[string]string{}
	for line := range strings.Lines(string(src)) {
		if !strings.HasPrefix(line, "\t") {
			continue
		}
		line = strings.TrimLeft(line, "@-+ \t")
		if len(line) < 4 || line[0] != '$' || line[1] != '(' && line[1] != '{' {
			continue
		}
		close := matchRef([]byte(line), 1, len(line))
		if close < 0 {
			continue
		}
		name := line[2:close]
		if refName(name) != name || uses[name] != "" {
			continue
		}
		var words []string
		for _, w := range strings.Fields(line[close+1:]) {
			if !plainWord(w) {
				break
			}
			words = append(words, w)
		}
		if len(words) > 0 && !strings.HasPrefix(words[0], "-") {
			uses[name] = strings.Join(words, " ")
		}
	}
	return uses
}

// plainWord reports whether a word means the same to make and the shell
// and needs no quoting: letters, digits and _ . / = : , + -.
func plainWord(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_./=:,+-", c) >= 0) {
			return false
		}
	}
	return w != ""
}

// engineVariables returns the variables a Makefile sets to a container
// engine's name alone ("DOCKER ?= docker", "ENGINE := podman"): a recipe's
// $(DOCKER) reads as that engine.
func engineVariables(src []byte) map[string]string {
	vars := map[string]string{}
	other := map[string]bool{} // set to something else somewhere
	for line := range strings.Lines(string(src)) {
		if line == "" || line[0] == '\t' {
			continue
		}
		for _, op := range []string{"?=", "::=", ":=", "="} {
			name, value, ok := strings.Cut(line, op)
			name = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), "export "))
			if !ok || refName(name) != name {
				continue
			}
			value = strings.TrimSpace(value)
			switch path.Base(value) {
			case "docker", "podman", "nerdctl":
				vars[name] = value
			default:
				other[name] = true
			}
			break
		}
	}
	for name := range other {
		delete(vars, name) // which value wins depends on the conditionals
	}
	return vars
}

// isConditional reports whether a line's first word is a make conditional.
func isConditional(word string) bool {
	word, _, _ = strings.Cut(word, "(")
	switch word {
	case "ifeq", "ifneq", "ifdef", "ifndef", "else", "endif":
		return true
	}
	return false
}

// isRuleLine reports whether a line is a rule ("targets: prerequisites")
// rather than an assignment or a directive.
func isRuleLine(line string) bool {
	i := strings.IndexByte(line, ':')
	if i < 0 {
		return false
	}
	if eq := strings.IndexByte(line, '='); eq >= 0 && eq < i {
		return false // VAR = a:b
	}
	if strings.HasPrefix(line[i:], ":=") || strings.HasPrefix(line[i:], "::=") || strings.HasPrefix(line[i:], ":::=") {
		return false
	}
	for _, d := range []string{"ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "include", "-include", "sinclude", "export", "override", "vpath"} {
		if line == d || strings.HasPrefix(line, d+" ") || strings.HasPrefix(line, d+"(") {
			return false
		}
	}
	return true
}

// lineEnd returns the end of the line at off (before "\r\n" or "\n") and
// the start of the next.
func lineEnd(src []byte, off int) (int, int) {
	i := bytes.IndexByte(src[off:], '\n')
	if i < 0 {
		return len(src), len(src)
	}
	end := off + i
	if end > off && src[end-1] == '\r' {
		end--
	}
	return end, off + i + 1
}

// makeSnippet builds the shell command of a recipe line [start,end), after
// its tab; nil when it names no container engine.
func makeSnippet(src []byte, start, end int, engines map[string]string) *Snippet {
	for start < end && strings.IndexByte("@-+ \t", src[start]) >= 0 {
		start++
	}
	if !mentionsEngine(string(src[start:end])) {
		return nil
	}
	sn := &Snippet{Escape: func(s string) (string, error) { return strings.ReplaceAll(s, "$", "$$"), nil }}
	// "$(Q)docker run": a reference glued to the command's first word is
	// make's echo control (Q = @, expanded before make reads the line's
	// prefixes), no part of the command: it reads as nothing.
	if pre := echoControl(src, start, end); pre > start {
		sn.Mapped("", start, pre)
		start = pre
	}
	verb := start
	flush := func(to int) {
		if to > verb {
			sn.Verbatim(src, verb, to)
		}
	}
	for i := start; i < end; i++ {
		switch {
		case src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n':
			flush(i)
			sn.Mapped("", i, i+1)
			verb = i + 1
		case src[i] != '$' || i+1 >= end:
		case src[i+1] == '$':
			flush(i)
			sn.Mapped("$", i, i+2)
			i++
			verb = i + 1
		case src[i+1] == '(' || src[i+1] == '{':
			close := matchRef(src, i+1, end)
			if close < 0 {
				return nil // an unterminated reference: leave the line alone
			}
			flush(i)
			if e, ok := engines[string(src[i+2:close])]; ok {
				sn.Mapped(e, i, close+1)
			} else if name := refName(string(src[i+2 : close])); name != "MAKE_EXPR" {
				sn.Mapped("${"+name+"}", i, close+1)
			} else {
				sn.Placeholder("MAKE_EXPR", src, i, close+1)
			}
			i = close
			verb = i + 1
		default:
			flush(i)
			sn.Mapped("${"+refName(string(src[i+1:i+2]))+"}", i, i+2)
			i++
			verb = i + 1
		}
	}
	flush(end)
	return sn
}

// echoControl returns the end of a plain make reference at start glued to
// a letter ("$(Q)docker"), or start when there is none.
func echoControl(src []byte, start, end int) int {
	if start+1 >= end || src[start] != '$' || src[start+1] != '(' && src[start+1] != '{' {
		return start
	}
	close := matchRef(src, start+1, end)
	if close < 0 || close+1 >= end || refName(string(src[start+2:close])) == "MAKE_EXPR" {
		return start
	}
	if c := src[close+1]; 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
		return close + 1
	}
	return start
}

// matchRef returns the offset of the bracket closing the one at open.
func matchRef(src []byte, open, end int) int {
	want := byte(')')
	if src[open] == '{' {
		want = '}'
	}
	depth := 0
	for i := open; i < end; i++ {
		switch src[i] {
		case src[open]:
			depth++
		case want:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// refName names the shell variable a make reference reads as: the
// variable's own name when it is one, else MAKE_EXPR.
func refName(ref string) string {
	for i, r := range ref {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			return "MAKE_EXPR"
		}
	}
	if ref == "" {
		return "MAKE_EXPR"
	}
	return ref
}

// mentionsEngine is a quick filter: a command that names no engine has
// nothing to harden.
func mentionsEngine(cmd string) bool {
	for _, w := range []string{"docker", "podman", "nerdctl", "DOCKER", "PODMAN"} {
		if strings.Contains(cmd, w) {
			return true
		}
	}
	return false
}
