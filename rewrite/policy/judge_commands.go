package policy

import (
	"path"
	"strings"
)

// This file reads the commands a container runs, for Judge (judge.go): it
// splits them into simple commands (a shell's -c script included) and
// finds the tools of judge_table.go among them.

// trimArgs returns a command's program and at most two operands before
// the flags of its subcommand, for messages ("npm run dev", "go mod
// vendor", "pip install").
func trimArgs(c []string) []string {
	out := []string{path.Base(c[0])}
	for _, a := range c[1:] {
		switch {
		case len(out) == 3 || strings.ContainsAny(a, "&|;<>"):
			return out
		case strings.HasPrefix(a, "-"):
			if len(out) > 1 {
				return out // the flags of a subcommand end the name
			}
		default:
			out = append(out, a)
		}
	}
	return out
}

// ShellFields splits a command string into words the way compose splits
// a string command: at blanks, with '...', "..." and backslashes quoting.
func ShellFields(s string) []string {
	var out []string
	var b strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote == '\'':
			if ch == '\'' {
				quote = 0
			} else {
				b.WriteByte(ch)
			}
		case quote == '"':
			switch {
			case ch == '"':
				quote = 0
			case ch == '\\' && i+1 < len(s):
				i++
				b.WriteByte(s[i])
			default:
				b.WriteByte(ch)
			}
		case ch == '\'' || ch == '"':
			quote, in = ch, true
		case ch == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
			in = true
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			if in {
				out = append(out, b.String())
				b.Reset()
				in = false
			}
		default:
			b.WriteByte(ch)
			in = true
		}
	}
	if in {
		out = append(out, b.String())
	}
	return out
}

// ChangesRoot says whether a command run in a container (docker exec's
// words after the container) writes its root: a package manager, a file
// created or changed outside /tmp, /dev and the container's mounts. The
// answer is the command's words up to what makes it a writer ("apt-get
// install"), or "".
func ChangesRoot(command, mounts []string) string {
	scratch := append([]string{"/tmp", "/dev"}, mounts...)
	for _, c := range simpleCommands(command) {
		if to := redirect(c, scratch); to != "" {
			return strings.Join(trimArgs(c), " ") + " > " + to
		}
		if t, ok := matchTool(rootWriters, c, true); ok {
			if t.Subs == nil && onlyScratch(c[1:], scratch) {
				continue
			}
			return strings.Join(trimArgs(c), " ")
		}
	}
	return ""
}

// redirect returns the file outside the scratch paths that a simple
// command's output is redirected to (> /etc/app.conf), or "".
func redirect(c, scratch []string) string {
	for i, w := range c {
		if !strings.HasPrefix(w, ">") {
			continue
		}
		to := strings.TrimLeft(w, ">")
		if to == "" && i+1 < len(c) {
			to = c[i+1]
		}
		if to != "" && !strings.HasPrefix(to, "&") && !onlyScratch([]string{to}, scratch) {
			return to
		}
	}
	return ""
}

// onlyScratch reports whether every operand of a file command is under
// one of the scratch paths: writes there do not need a writable root.
func onlyScratch(args, scratch []string) bool {
	n := 0
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		n++
		if !coveredByList(path.Clean(a), scratch) {
			return false
		}
	}
	return n > 0
}

// matchTool finds the tool a simple command runs in table. A tool with
// subcommands matches when its first operand is one (anyArg: when any
// argument is one, for flags like sed -i).
func matchTool(table []jobTool, c []string, anyArg bool) (jobTool, bool) {
	if len(c) == 0 {
		return jobTool{}, false
	}
	base := path.Base(c[0])
	for _, t := range table {
		if t.Tool != base {
			continue
		}
		if t.Subs == nil {
			return t, true
		}
		for _, a := range c[1:] {
			if contains(t.Subs, a) {
				return t, true
			}
			if !anyArg && !strings.HasPrefix(a, "-") {
				break
			}
		}
	}
	return jobTool{}, false
}

// simpleCommands splits what a container runs into its simple commands,
// each starting with its program: a shell's -c script is split into words
// at blanks and at ;, &&, ||, | and parentheses; leading NAME=value
// assignments and wrappers (sudo, time, exec, env) are dropped, and
// "python -m pip" is pip.
func simpleCommands(words []string) [][]string {
	if len(words) >= 2 && contains(shells, path.Base(words[0])) {
		for i := 1; i < len(words); i++ {
			w := words[i]
			if !strings.HasPrefix(w, "-") {
				break
			}
			if !strings.HasPrefix(w, "--") && strings.Contains(w, "c") && i+1 < len(words) {
				words = scriptWords(words[i+1])
				break
			}
		}
	}
	var out [][]string
	var cur []string
	flush := func() {
		if c := program(cur); len(c) > 0 {
			out = append(out, c)
		}
		cur = nil
	}
	for _, w := range words {
		switch w {
		case ";", "&&", "||", "|", "&", "(", ")", "{", "}", "then", "do", "else":
			flush()
			continue
		}
		cur = append(cur, w)
	}
	flush()
	return out
}

// scriptWords splits a shell script into words and separators, quotes
// dropped: good enough to see which programs it runs.
func scriptWords(script string) []string {
	var b strings.Builder
	for i := 0; i < len(script); i++ {
		switch ch := script[i]; ch {
		case '\'', '"', '`':
		case '\n':
			b.WriteString(" ; ")
		case ';', '|', '&', '(', ')':
			b.WriteString(" ")
			b.WriteByte(ch)
			if i+1 < len(script) && script[i+1] == ch && ch != ';' {
				b.WriteByte(ch)
				i++
			}
			b.WriteString(" ")
		default:
			b.WriteByte(ch)
		}
	}
	return strings.Fields(b.String())
}

// program drops a simple command's assignments and wrappers.
func program(c []string) []string {
	for len(c) > 0 {
		w := c[0]
		switch {
		case strings.Contains(w, "=") && !strings.HasPrefix(w, "-") && !strings.HasPrefix(w, "="):
			c = c[1:]
		case contains(wrappers, path.Base(w)):
			c = c[1:]
			for len(c) > 0 && strings.HasPrefix(c[0], "-") {
				c = c[1:]
			}
		case strings.HasPrefix(path.Base(w), "python") && len(c) >= 3 && c[1] == "-m":
			c = c[2:]
		default:
			return c
		}
	}
	return nil
}
