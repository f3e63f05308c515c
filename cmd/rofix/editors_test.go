package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fence is one fenced code block of a Markdown file.
type fence struct {
	info, body string
	line       int
}

// fences returns the fenced code blocks (```) of a Markdown text.
func fences(md string) []fence {
	var out []fence
	var cur *fence
	for i, line := range strings.Split(md, "\n") {
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &fence{info: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: i + 1}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		}
	}
	return out
}

// buildRofix builds the command into a directory to put on PATH.
// exampleInputs returns the bundled example compose file and script, the
// inputs the editor and pre-commit tests harden.
func exampleInputs(t *testing.T) (compose, script []byte) {
	t.Helper()
	compose, err := os.ReadFile("../../examples/webapp/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	script, err = os.ReadFile("../../examples/scripts/deploy.sh")
	if err != nil {
		t.Fatal(err)
	}
	return compose, script
}

func buildRofix(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "rofix"), ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// lspSession is what an editor sends first and last: initialize,
// initialized, a document, shutdown, exit.
func lspSession() string {
	var b strings.Builder
	for _, m := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`,
		`{"jsonrpc":"2.0","method":"initialized","params":{}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///p/compose.yaml","languageId":"yaml","version":1,"text":"services:\n  web:\n    image: nginx\n"}}}`,
		`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`,
		`{"jsonrpc":"2.0","method":"exit"}`,
	} {
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(m), m)
	}
	return b.String()
}

// flagRE finds the rofix arguments an editor configuration passes: quoted
// flags ("--stdin-filename", '-w') and the lsp subcommand.
var flagRE = regexp.MustCompile(`(?:^|[\s"'(\[{])(-{1,2}[a-z][a-z-]*(?:=[a-z]+)?|lsp)["'\s,)\]}]`)

// TestEditorRecipes runs every command line of docs/editors.md (the blocks
// marked "sh test") against the built binary, as the editors would: the
// buffer on stdin for a formatter, a protocol session for the language
// server. And every flag the editor configurations pass to rofix must be
// one of those tested.
func TestEditorRecipes(t *testing.T) {
	md, err := os.ReadFile("../../docs/editors.md")
	if err != nil {
		t.Fatal(err)
	}
	bin := buildRofix(t)
	compose, script := exampleInputs(t)
	var tested []string
	for _, f := range fences(string(md)) {
		if f.info != "sh test" {
			continue
		}
		for i, cmdline := range strings.Split(f.body, "\n") {
			cmdline = strings.TrimSpace(cmdline)
			if cmdline == "" || strings.HasPrefix(cmdline, "#") {
				continue
			}
			tested = append(tested, cmdline)
			t.Run(cmdline, func(t *testing.T) {
				dir := t.TempDir()
				for name, data := range map[string][]byte{"compose.yaml": compose, "deploy.sh": script} {
					if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				cmd := exec.Command("bash", "-euo", "pipefail", "-c", cmdline)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
				lsp := strings.Contains(cmdline, "rofix lsp")
				if lsp {
					cmd.Stdin = strings.NewReader(lspSession())
				}
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				if err := cmd.Run(); err != nil {
					t.Fatalf("docs/editors.md:%d: %s: %v\n%s", f.line+1+i, cmdline, err, stderr.String())
				}
				switch {
				case lsp:
					for _, want := range []string{`"positionEncoding":"utf-16"`, `"method":"textDocument/publishDiagnostics"`, `"code":"read-only"`, `"id":2,"result":null`} {
						if !strings.Contains(stdout.String(), want) {
							t.Errorf("the session's output lacks %s:\n%s", want, stdout.String())
						}
					}
				case strings.Contains(cmdline, "--stdin-filename"):
					in := compose
					if strings.Contains(cmdline, "deploy.sh") {
						in = script
					}
					if stdout.Len() == 0 || bytes.Equal(stdout.Bytes(), in) || !strings.Contains(stdout.String(), "read") {
						t.Errorf("not hardened:\n%s", stdout.String())
					}
				case strings.Contains(cmdline, "-w"):
					changed := false
					for name, data := range map[string][]byte{"compose.yaml": compose, "deploy.sh": script} {
						now, _ := os.ReadFile(filepath.Join(dir, name))
						changed = changed || !bytes.Equal(now, data)
					}
					if !changed {
						t.Error("no file was rewritten")
					}
				}
			})
		}
	}
	if len(tested) < 5 {
		t.Fatalf("only %d tested command lines in docs/editors.md", len(tested))
	}

	all := " " + strings.Join(tested, " ") + " "
	seen := map[string]bool{}
	for _, f := range fences(string(md)) {
		if f.info == "sh test" || !strings.Contains(f.body, "rofix") {
			continue
		}
		for _, m := range flagRE.FindAllStringSubmatch(f.body, -1) {
			flag := m[1]
			seen[flag] = true
			if !strings.Contains(all, " "+flag+" ") {
				t.Errorf("docs/editors.md:%d: a %s configuration passes %s, which no tested command line uses", f.line, f.info, flag)
			}
		}
	}
	for _, want := range []string{"--stdin-filename", "lsp", "-w"} {
		if !seen[want] {
			t.Errorf("no editor configuration passes %s: the flag check found nothing to check", want)
		}
	}
}
