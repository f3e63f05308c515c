package embed

import (
	"fmt"
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// PlanMarkdown hardens the commands of a Markdown file's fenced code
// blocks marked sh, bash or shell (the whole block is a script) or console
// (each prompt line, "$ ", "~$ ", "user@host:~$ ", with its backslash
// continuations, is a command; an sh block with prompts is read the same
// way; a console block without any prompt is one command per line).
// Other blocks are left alone. The command line asks for Markdown only
// with --docs, since documentation often shows a command on purpose.
func PlanMarkdown(name string, src []byte, pol policy.Policy) (*finding.Plan, error) {
	return Plan(name, src, pol, extractMarkdown)
}

// A fence is one fenced code block.
type fence struct {
	info       string
	indent     int
	start, end int // the content lines: from the line after the opening fence to the closing fence's line
}

// fences finds the fenced code blocks of a Markdown file (CommonMark: three
// or more backticks or tildes, indented at most three spaces, closed by at
// least as many of the same character, or by the end of the file).
func fences(src []byte) []fence {
	var out []fence
	var open *fence
	var char byte
	var n int
	for off := 0; off < len(src); {
		end, next := lineEnd(src, off)
		line := string(src[off:end])
		ind := len(line) - len(strings.TrimLeft(line, " "))
		rest := line[ind:]
		if ind <= 3 && (strings.HasPrefix(rest, "```") || strings.HasPrefix(rest, "~~~")) {
			c := rest[0]
			k := len(rest) - len(strings.TrimLeft(rest, string(c)))
			switch {
			case open == nil:
				info := strings.TrimSpace(rest[k:])
				if c == '`' && strings.Contains(info, "`") {
					break // not a fence
				}
				open, char, n = &fence{info: info, indent: ind, start: next}, c, k
			case c == char && k >= n && strings.TrimSpace(rest[k:]) == "":
				open.end = off
				out = append(out, *open)
				open = nil
			}
		}
		off = next
	}
	if open != nil {
		open.end = len(src)
		out = append(out, *open)
	}
	return out
}

func extractMarkdown(src []byte) ([]*Snippet, error) {
	var out []*Snippet
	for _, f := range fences(src) {
		lang, _, _ := strings.Cut(f.info, " ")
		lang = strings.Trim(strings.ToLower(lang), "{}.")
		switch lang {
		case "sh", "bash", "shell":
			if hasPrompt(src[f.start:f.end]) {
				out = append(out, promptSnippets(src, f)...)
			} else if sn := blockSnippet(src, f, f.start, f.end); sn != nil {
				out = append(out, sn)
			}
		case "console", "shell-session", "sh-session", "shellsession":
			out = append(out, promptSnippets(src, f)...)
		}
	}
	return out, nil
}

// blockSnippet maps the lines [from,to) of a fence, without the fence's
// indentation.
func blockSnippet(src []byte, f fence, from, to int) *Snippet {
	if !mentionsEngine(string(src[from:to])) {
		return nil
	}
	pad := strings.Repeat(" ", f.indent)
	eol := "\n"
	if strings.Contains(string(src[from:to]), "\r\n") {
		eol = "\r\n"
	}
	sn := &Snippet{Escape: func(t string) (string, error) {
		if strings.Contains(t, "```") || strings.Contains(t, "~~~") {
			return "", fmt.Errorf("inserted text would close the fence")
		}
		return strings.ReplaceAll(t, "\n", eol+pad), nil
	}}
	for off := from; off < to; {
		end, next := lineEnd(src, off)
		skip := 0
		for skip < f.indent && off+skip < end && src[off+skip] == ' ' {
			skip++
		}
		sn.Mapped("", off, off+skip)
		sn.Verbatim(src, off+skip, end)
		if end < next {
			sn.Mapped("\n", end, next)
		}
		off = next
	}
	return sn
}

// hasPrompt reports whether a block shows shell prompts: it is a console
// session, whatever its label says.
func hasPrompt(block []byte) bool {
	for line := range strings.Lines(string(block)) {
		if promptLen(strings.TrimLeft(line, " ")) > 0 {
			return true
		}
	}
	return false
}

// promptLen returns the length of the shell prompt that starts line (its
// indentation removed), the space after it included, or 0 for none. A
// prompt is "$ ", a word ending in "$" ("~$ ", "user@host:~/src$ ",
// "bash-5.2$ "), a bracketed one ("[user@host dir]$ "), or a root prompt
// naming its host ("root@host:/# ", "[root@host ~]# "). A bare "# " is not a prompt: it is a
// comment as often as a root prompt. PowerShell's "PS> " is not one either:
// its commands are not shell.
func promptLen(line string) int {
	if strings.HasPrefix(line, "$ ") {
		return 2
	}
	if strings.HasPrefix(line, "[") {
		i := strings.IndexByte(line, ']')
		if i < 0 || i+3 > len(line) || line[i+2] != ' ' || strings.Contains(line[1:i], "[") {
			return 0
		}
		if line[i+1] == '$' || line[i+1] == '#' && strings.Contains(line[1:i], "@") {
			return i + 3
		}
		return 0
	}
	i := 0
	for i < len(line) && isPromptChar(line[i]) {
		i++
	}
	if i == 0 || i+2 > len(line) || line[i+1] != ' ' {
		return 0
	}
	switch {
	case line[i] == '$':
		return i + 2
	case line[i] == '#' && strings.Contains(line[:i], "@"):
		return i + 2
	}
	return 0
}

// isPromptChar reports whether c may appear in a prompt's user, host and
// directory ("user@host:~/src").
func isPromptChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.@:~/+-", c) >= 0
}

// promptSnippets returns one snippet per prompted command of a console
// block: the prompt line after its prompt, and the lines continuing it.
// A block without any prompt is commands alone (the official images' docs
// write "docker run ..." without "$ "): every line is a command.
func promptSnippets(src []byte, f fence) []*Snippet {
	var out []*Snippet
	bare := !hasPrompt(src[f.start:f.end])
	for off := f.start; off < f.end; {
		end, next := lineEnd(src, off)
		line := string(src[off:end])
		trimmed := strings.TrimLeft(line, " ")
		n := promptLen(trimmed)
		if n == 0 && !bare {
			off = next
			continue
		}
		cmd := off + (len(line) - len(trimmed)) + n
		last := end
		for last > off && src[last-1] == '\\' && next < f.end {
			last, next = lineEnd(src, next)
		}
		if sn := blockSnippet(src, fence{indent: 0}, cmd, last); sn != nil {
			out = append(out, sn)
		}
		off = next
	}
	return out
}
