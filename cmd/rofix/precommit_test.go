package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite/cli"
)

// needTool returns the path of a program the test needs: absent, the test
// is skipped with the reason, or fails in CI (which installs it).
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (.ci/run installs Debian's %s)", name, pkg)
		}
		t.Skipf("%s is not installed: apt-get install %s", name, pkg)
	}
	return path
}

// run runs a command in dir and returns its combined output and exit
// status; it fails the test when the command cannot start.
func run(t *testing.T, dir string, env []string, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// snapshot commits the repository's working tree (tracked and untracked
// files, not ignored ones) as the single commit of a new repository, so
// that pre-commit clones what is being tested, committed or not.
func snapshot(t *testing.T, env []string, root, dst string) {
	t.Helper()
	list, status := run(t, root, env, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if status != 0 {
		t.Fatalf("git ls-files: %s", list)
	}
	for _, name := range strings.Split(strings.TrimRight(list, "\x00"), "\x00") {
		data, err := os.ReadFile(filepath.Join(root, name))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		info, _ := os.Stat(filepath.Join(root, name))
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	commitAll(t, env, dst)
}

func commitAll(t *testing.T, env []string, dir string) {
	t.Helper()
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"commit", "-q", "-m", "snapshot"}} {
		if out, status := run(t, dir, env, "git", args...); status != 0 {
			t.Fatalf("git %s: %s", args[0], out)
		}
	}
}

// hardened is what rofix makes of content named name.
func hardened(t *testing.T, name string, content []byte) string {
	t.Helper()
	var out, errs bytes.Buffer
	if status := cli.Main([]string{"--stdin-filename", name}, bytes.NewReader(content), &out, &errs); status != 0 {
		t.Fatalf("rofix --stdin-filename %s: status %d: %s", name, status, errs.String())
	}
	return out.String()
}

// TestPreCommitHooks runs the hooks of .pre-commit-hooks.yaml with the real
// pre-commit (Debian's package): `pre-commit try-repo` clones a snapshot of
// this repository, builds rofix there with the Go toolchain (language:
// golang) and runs the hooks on a project holding files rofix handles and
// files it must not be given.
func TestPreCommitHooks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds rofix through pre-commit; skipped with -short")
	}
	needTool(t, "git", "git")
	preCommit := needTool(t, "pre-commit", "pre-commit")
	tmp := t.TempDir()
	env := append(os.Environ(),
		"PRE_COMMIT_HOME="+filepath.Join(tmp, "cache"),
		"GIT_AUTHOR_NAME=rofix test", "GIT_AUTHOR_EMAIL=test@rofix.invalid",
		"GIT_COMMITTER_NAME=rofix test", "GIT_COMMITTER_EMAIL=test@rofix.invalid",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
	)
	// Reuse the module cache: pre-commit points GOPATH at its own
	// directory, which would download every module again.
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		env = append(env, "GOMODCACHE="+strings.TrimSpace(string(out)))
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	rofixRepo := filepath.Join(tmp, "rofix")
	snapshot(t, env, root, rofixRepo)

	compose, script := exampleInputs(t)
	project := filepath.Join(tmp, "project")
	files := map[string]struct {
		content string
		mode    os.FileMode
		handled bool // rofix is given it and hardens it
	}{
		"compose.yaml":            {string(compose), 0o644, true},
		"deploy/compose.prod.yml": {"services:\n  api:\n    image: example/api\n", 0o644, true},
		"scripts/deploy.sh":       {string(script), 0o755, true},
		"bin/start":               {"#!/bin/bash\ndocker run --rm example/worker\n", 0o755, true},
		// rofix refuses these two (as YAML they are invalid): the hooks'
		// filters must not pass them.
		"chart/templates/pod.yaml": {"kind: Pod\nmetadata:\n  name: {{ include \"app.fullname\" . }}\nspec:\n{{- toYaml .Values.spec | nindent 2 }}\n", 0o644, false},
		"bin/tools":                {"#!/bin/zsh\nprint start\nif [[ -o interactive ]]; then print: yes; fi\ndocker run --rm alpine true\n", 0o755, false},
		"README.md":                {"docker run --rm alpine\n", 0o644, false},
	}
	for name, f := range files {
		path := filepath.Join(project, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(f.content), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	commitAll(t, env, project)

	// Each try-repo clones the snapshot and builds rofix in a fresh
	// environment (try-repo keeps no cache), so the runs are few.
	tryRepo := func(hook ...string) (string, int) {
		t.Helper()
		args := append([]string{"try-repo", rofixRepo}, hook...)
		return run(t, project, env, preCommit, append(args, "--all-files", "--color=never")...)
	}
	unchanged := func(when string) {
		t.Helper()
		for name, f := range files {
			if got, _ := os.ReadFile(filepath.Join(project, name)); string(got) != f.content {
				t.Errorf("%s: %s changed", when, name)
			}
		}
	}

	// rofix-check fails on files that need hardening, shows the diff and
	// changes nothing.
	out, status := tryRepo("rofix-check")
	if status != 1 || !strings.Contains(out, "+    read_only: true") || !strings.Contains(out, "rofix --check") {
		t.Fatalf("rofix-check on unhardened files: status %d, want 1 and a diff:\n%s", status, out)
	}
	unchanged("after rofix-check")

	// Both hooks, in order: rofix rewrites the files (pre-commit fails
	// because files changed) and leaves alone what it must not be given;
	// rofix-check then passes on the rewritten files.
	out, status = tryRepo()
	if status != 1 || !strings.Contains(out, "files were modified by this hook") {
		t.Fatalf("rofix: status %d, want 1 (files modified):\n%s", status, out)
	}
	if !regexp.MustCompile(`rofix --check.*Passed`).MatchString(out) {
		t.Errorf("rofix-check after rofix did not pass:\n%s", out)
	}
	for name, f := range files {
		got, _ := os.ReadFile(filepath.Join(project, name))
		want := f.content
		if f.handled {
			want = hardened(t, name, []byte(f.content))
			if want == f.content {
				t.Fatalf("fixture %s needs no hardening", name)
			}
		}
		if string(got) != want {
			t.Errorf("after the rofix hook, %s is\n%s\nwant\n%s", name, got, want)
		}
	}

	// Once the files are hardened, both pass and nothing changes.
	if out, status := tryRepo(); status != 0 {
		t.Errorf("the hooks on hardened files: status %d:\n%s", status, out)
	}
}
