package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A hostile case puts one bad input into a tree next to a good compose
// file, runs rofix -w over it, and checks the promises of the issue "Never
// break a file": a clear error naming the file (and line), exit status 2,
// the bad file byte-identical, the good file still hardened, no hang.
type hostileCase struct {
	name string
	// setup creates the bad input under dir and returns the path to name
	// on the command line ("" walks the whole tree) and the file whose
	// bytes must not change ("" when there is none).
	setup func(t *testing.T, dir string) (arg, keep string)
	// stderr must match; it names the file and, where there is one, the line.
	stderr string
}

// notErrors are the cases that are notes, not errors: an empty or
// comment-only compose file is valid as an override (compose only refuses a
// project that is empty as a whole), so it is left alone and the run succeeds.
// A walk does not follow symlinks (a note says so with -v) and walks a
// directory whatever its name: those are not errors either.
var notErrors = map[string]bool{
	"empty file": true, "only comments": true,
	"directory named compose.yaml": true, "symlink out of the tree in a walk": true, "symlink loop in a walk": true,
}

const goodCompose = "services:\n  web:\n    image: nginx\n"

func write(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// file returns a setup that writes content to dir/bad/name.
func file(name, content string) func(*testing.T, string) (string, string) {
	return func(t *testing.T, dir string) (string, string) {
		p := write(t, filepath.Join(dir, "bad", name), content)
		return "", p
	}
}

// named returns a setup that writes content to dir/bad/name and names that
// file on the command line.
func named(name, content string) func(*testing.T, string) (string, string) {
	return func(t *testing.T, dir string) (string, string) {
		p := write(t, filepath.Join(dir, "bad", name), content)
		return p, p
	}
}

func aliasBomb() string {
	var b strings.Builder
	b.WriteString("x-0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "x-%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	b.WriteString("services:\n  web:\n    image: nginx\n    labels: *a9\n")
	return b.String()
}

var hostileCases = []hostileCase{
	{"broken yaml", file("compose.yaml", "services:\n  web:\n    image: [nginx\n"), `bad/compose.yaml:\d+:\d+: syntax: invalid YAML`},
	{"duplicate keys", file("compose.yaml", "services:\n  web:\n    image: a\n    image: b\n"), `bad/compose.yaml:4:5: syntax: duplicate key "image"`},
	{"alias bomb", file("compose.yaml", aliasBomb()), `bad/compose.yaml:1:1: syntax: YAML aliases expand to more than \d+ nodes`},
	{"deep nesting", file("compose.yaml", "services:\n  web:\n    image: x\n    labels: "+strings.Repeat("[", 50000)+strings.Repeat("]", 50000)+"\n"), `bad/compose.yaml:\d+:\d+: syntax: invalid YAML: exceeded max depth`},
	{"huge file", func(t *testing.T, dir string) (string, string) {
		p := write(t, filepath.Join(dir, "bad", "compose.yaml"), goodCompose)
		if err := os.Truncate(p, MaxFileSize+1); err != nil {
			t.Fatal(err)
		}
		return "", p
	}, `bad/compose.yaml: unsupported: file is \d+ bytes, over the 32 MiB limit; skipped`},
	{"NUL bytes", file("compose.yaml", "services:\n  web:\n    image: a\x00b\n"), `bad/compose.yaml:3:13: syntax: binary content \(NUL byte\)`},
	{"binary", file("compose.yml", "\x7fELF\x02\x01\x01\x00\x00\x00"), `bad/compose.yml:1:8: syntax: binary content`},
	{"UTF-16 with BOM", file("compose.yaml", "\xff\xfes\x00e\x00r\x00"), `bad/compose.yaml:1:1: syntax: UTF-16 text is not supported`},
	{"invalid UTF-8", file("compose.yaml", "services:\n  web:\n    image: caf\xe9\n"), `bad/compose.yaml:3:15: syntax: invalid UTF-8`},
	{"empty file", named("compose.yaml", ""), `bad/compose.yaml: note: not a compose file`},
	{"only comments", named("compose.override.yaml", "# nothing here yet\n# services:\n"), `bad/compose.override.yaml: note: not a compose file`},
	{"services is a list", file("compose.yaml", "services:\n  - web\n"), `bad/compose.yaml:2:3: syntax: services must be a mapping`},
	{"services is a scalar", file("compose.yaml", "services: web\n"), `bad/compose.yaml:1:11: syntax: services must be a mapping`},
	{"service is a scalar", file("compose.yaml", "services:\n  web: nginx\n"), `bad/compose.yaml:2:8: syntax: service web must be a mapping`},
	{"tabs for indentation", file("compose.yaml", "services:\n\tweb:\n\t\timage: x\n"), `bad/compose.yaml:\d+:\d+: syntax: invalid YAML`},
	{"template placeholders", file("compose.yaml", "services:\n{% if prod %}\n  web:\n    image: x\n{% endif %}\n"), `bad/compose.yaml:\d+:\d+: syntax: invalid YAML`},
	{"broken shell", file("run.sh", "#!/bin/sh\ndocker run -v '/a:/b nginx\n"), `bad/run.sh:2:\d+: syntax: .*(quote|reached EOF)`},
	{"zsh-only syntax", file("run.sh", "#!/bin/bash\nprint -l ${(f)x}\ndocker run nginx\n"), `bad/run.sh:2:\d+: syntax: `},
	{"binary shell script", file("tool.sh", "\x7fELF\x00\x00docker run x\n"), `bad/tool.sh:1:5: syntax: binary content`},
	{"FIFO named like a compose file", func(t *testing.T, dir string) (string, string) {
		os.MkdirAll(filepath.Join(dir, "bad"), 0o755)
		if err := syscall.Mkfifo(filepath.Join(dir, "bad", "compose.yaml"), 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		return "", ""
	}, `bad/compose.yaml: unsupported: not a regular file`},
	{"FIFO named explicitly", func(t *testing.T, dir string) (string, string) {
		p := filepath.Join(dir, "bad", "docker-compose.yml")
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		return p, ""
	}, `bad/docker-compose.yml: unsupported: not a regular file`},
	{"device named explicitly", func(t *testing.T, dir string) (string, string) {
		return "/dev/null", ""
	}, `/dev/null: unsupported: not a regular file`},
	{"symlink loop named explicitly", func(t *testing.T, dir string) (string, string) {
		p := filepath.Join(dir, "bad", "compose.yaml")
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.Symlink("compose.yaml", p)
		return p, ""
	}, `bad/compose.yaml: unsupported: is a symlink`},
	{"symlink out of the tree named explicitly", func(t *testing.T, dir string) (string, string) {
		outside := write(t, filepath.Join(t.TempDir(), "compose.yaml"), goodCompose)
		p := filepath.Join(dir, "bad", "compose.yaml")
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.Symlink(outside, p)
		return p, outside
	}, `bad/compose.yaml: unsupported: is a symlink`},
	{"read-only file", func(t *testing.T, dir string) (string, string) {
		p := write(t, filepath.Join(dir, "bad", "compose.yaml"), goodCompose)
		os.Chmod(p, 0o444)
		return "", p
	}, `bad/compose.yaml: unsupported: not written: the file is read-only`},
	{"directory named compose.yaml", func(t *testing.T, dir string) (string, string) {
		p := write(t, filepath.Join(dir, "bad", "compose.yaml", "notes.txt"), "not yaml: [\n")
		return "", p
	}, ``},
	{"symlink out of the tree in a walk", func(t *testing.T, dir string) (string, string) {
		outside := write(t, filepath.Join(t.TempDir(), "compose.yaml"), goodCompose)
		os.MkdirAll(filepath.Join(dir, "bad"), 0o755)
		os.Symlink(outside, filepath.Join(dir, "bad", "compose.yaml"))
		return "", outside
	}, `bad/compose.yaml: note: symlink not followed`},
	{"symlink loop in a walk", func(t *testing.T, dir string) (string, string) {
		os.MkdirAll(filepath.Join(dir, "bad", "loop"), 0o755)
		os.Symlink("..", filepath.Join(dir, "bad", "loop", "up"))
		os.Symlink("docker-compose.yml", filepath.Join(dir, "bad", "docker-compose.yml"))
		return "", ""
	}, `bad/docker-compose.yml: note: symlink not followed`},
	{"file name too long for a temp file", func(t *testing.T, dir string) (string, string) {
		p := write(t, filepath.Join(dir, "bad", "compose."+strings.Repeat("x", 240)+".yaml"), goodCompose)
		return "", p
	}, `bad/compose\.x+\.yaml: unsupported: not written: .*file name too long`},
}

func TestHostileInput(t *testing.T) {
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			good := write(t, filepath.Join(dir, "good", "compose.yaml"), goodCompose)
			arg, keep := tc.setup(t, dir)
			var before []byte
			if keep != "" {
				before, _ = os.ReadFile(keep)
			}
			args := []string{"-w", dir}
			if arg != "" {
				args = []string{"-w", arg, good}
			}
			if strings.HasPrefix(tc.stderr, `bad/compose.yaml: note: symlink`) || strings.HasPrefix(tc.stderr, `bad/docker-compose.yml: note: symlink`) {
				args = append([]string{"-v"}, args...) // a note only -v asks for
			}
			status, stderr := runWithWatchdog(t, args)
			want := ExitError
			if notErrors[tc.name] {
				want = ExitOK
			}
			if status != want {
				t.Errorf("exit status %d, want %d", status, want)
			}
			if !regexp.MustCompile(`(?m)^(\S*/)?` + tc.stderr).MatchString(stderr) {
				t.Errorf("stderr does not match %q:\n%s", tc.stderr, stderr)
			}
			if keep != "" {
				after, err := os.ReadFile(keep)
				if err != nil || !bytes.Equal(before, after) {
					t.Errorf("%s changed (err %v)", keep, err)
				}
			}
			if got, _ := os.ReadFile(good); !strings.Contains(string(got), "read_only: true") {
				t.Errorf("the good file was not processed:\n%s\nstderr:\n%s", got, stderr)
			}
			leftovers, _ := filepath.Glob(filepath.Join(dir, "*", ".*rofix-*"))
			if len(leftovers) > 0 {
				t.Errorf("temporary files left behind: %v", leftovers)
			}
		})
	}
}

// runWithWatchdog runs Main and fails the test if it does not return within
// a minute: the check is "never hangs", not a speed target.
func runWithWatchdog(t *testing.T, args []string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- Main(args, strings.NewReader(""), &stdout, &stderr) }()
	select {
	case status := <-done:
		return status, stderr.String()
	case <-time.After(time.Minute):
		t.Fatalf("rofix %v did not return: hung", args)
		return 0, ""
	}
}
