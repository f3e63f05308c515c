package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rofix/rofix/rewrite/policy"
)

// A tree: repo/.git, repo/deploy/compose.yaml, repo/app/Dockerfile and
// the ways out of it.
func makeTree(t *testing.T) (root, deploy string) {
	t.Helper()
	top := t.TempDir()
	root = filepath.Join(top, "repo")
	write(t, filepath.Join(root, ".git", "HEAD"), "ref: refs/heads/main\n")
	write(t, filepath.Join(root, "app", "Dockerfile"), "FROM nginx\n")
	write(t, filepath.Join(root, "app", "big.Dockerfile"), strings.Repeat("#\n", MaxTreeFileSize))
	write(t, filepath.Join(top, "outside", "Dockerfile"), "FROM secret\n")
	deploy = filepath.Join(root, "deploy")
	write(t, filepath.Join(deploy, "compose.yaml"), "services: {}\n")
	for link, target := range map[string]string{
		filepath.Join(root, "linked"):                   filepath.Join(root, "app"),
		filepath.Join(root, "app", "link.Dockerfile"):   "Dockerfile",
		filepath.Join(root, "app", "escape.Dockerfile"): filepath.Join(top, "outside", "Dockerfile"),
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(root, "app", "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root, deploy
}

func TestReadInTree(t *testing.T) {
	root, deploy := makeTree(t)
	if got := treeRoot(deploy); got != root {
		t.Fatalf("treeRoot = %s, want %s (the directory holding .git)", got, root)
	}
	tests := []struct {
		rel  string
		want string // content, or the start of the error
		ok   bool
	}{
		{"../app/Dockerfile", "FROM nginx\n", true},
		{"../app/./sub/../Dockerfile", "FROM nginx\n", true},
		{"../linked/Dockerfile", "passes through a symlink", false},
		{"../app/link.Dockerfile", "passes through a symlink", false},
		{"../app/escape.Dockerfile", "passes through a symlink", false},
		{"../../outside/Dockerfile", "outside the tree", false},
		{filepath.Join(root, "app", "Dockerfile"), "not a relative path", false},
		{`..\app\Dockerfile`, "not a relative path", false},
		{"../app/big.Dockerfile", "2097152 bytes, over the 1024 KiB limit", false},
		{"../app/fifo", "not a regular file", false},
		{"../app/none", "no such file or directory", false},
	}
	// Alone, then with the paths checked by earlier reads remembered, as
	// withTree does for the reads of one file: the answers are the same.
	for _, seen := range []*checked{nil, {dirs: map[string]bool{}}} {
		for range 2 {
			for _, tt := range tests {
				got, err := readInTree(root, deploy, tt.rel, seen)
				switch {
				case tt.ok && (err != nil || string(got) != tt.want):
					t.Errorf("readInTree(%q) = %q, %v; want %q", tt.rel, got, err, tt.want)
				case !tt.ok && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
					t.Errorf("readInTree(%q) error = %v, want %q", tt.rel, err, tt.want)
				}
			}
		}
	}
}

// The hook reaches the compose engine: a readable Dockerfile brings its
// base image's knowledge (nginx: /var/cache/nginx), one that cannot be read
// is reported with the reason.
func TestMainReadsDockerfiles(t *testing.T) {
	_, deploy := makeTree(t)
	compose := write(t, filepath.Join(deploy, "compose.yaml"), `services:
  ok:
    build: ../app
  linked:
    build: ../linked
  out:
    build:
      context: ../../outside
`)
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"-d", compose}, nil, &stdout, &stderr); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{
		"service ok is built from nginx (../app/Dockerfile): rofix applies what it knows of that image",
		"linked and its Dockerfile could not be read (../linked/Dockerfile: passes through a symlink; not followed)",
		"out and its Dockerfile could not be read (../../outside/Dockerfile: outside the tree",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if n := strings.Count(stdout.String(), "+      - /var/cache/nginx"); n != 1 {
		t.Errorf("the diff adds /var/cache/nginx %d times, want once (service ok only):\n%s", n, stdout.String())
	}
}

// TestStatInTree checks what the engines learn of a bind source: a file or
// a directory of the tree; nothing for what is absent, outside, behind a
// symlink, or neither.
func TestStatInTree(t *testing.T) {
	root, deploy := makeTree(t)
	for rel, want := range map[string]policy.PathKind{
		"../app/Dockerfile":        policy.PathFile,
		"../app":                   policy.PathDir,
		"../app/missing.conf":      policy.PathUnknown,
		"../../outside/Dockerfile": policy.PathUnknown,
		"../linked/Dockerfile":     policy.PathUnknown,
		"../app/link.Dockerfile":   policy.PathUnknown,
		"../app/fifo":              policy.PathUnknown,
		"/etc/passwd":              policy.PathUnknown,
	} {
		if got := statInTree(root, deploy, rel, nil); got != want {
			t.Errorf("statInTree(%s) = %v, want %v", rel, got, want)
		}
	}
}
