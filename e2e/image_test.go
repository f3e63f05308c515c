package e2e

import (
	"bytes"
	"context"
	"debug/elf"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestImage builds rofix's own image with scripts/image.sh (what `make
// image` runs) on each engine and runs it the way the README says: read-only
// root, no network, no new privileges, every capability dropped, the
// repository mounted read-only. On examples/ it prints exactly what the host
// binary prints, and it cannot write.
func TestImage(t *testing.T) {
	h := need(t)
	if h.rofixErr != nil {
		t.Fatal(h.rofixErr)
	}
	type engine struct {
		name, cli string
		env       []string
	}
	var engines []engine
	if h.podman != "" {
		engines = append(engines, engine{"podman", h.podman, h.env})
	}
	for _, ep := range h.endpoints {
		if ep.name != "podman" { // podman's service shares podman's storage
			engines = append(engines, engine{ep.name, h.docker, ep.env})
		}
	}
	if len(engines) == 0 {
		t.Skip("no engine to import an image into: " + h.podmanSkip)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	image := rofixImageName(h.id)

	// What the host binary does on a copy of examples/.
	ws := t.TempDir()
	copyTree(t, filepath.Join(root, "examples"), ws)
	type result struct {
		stdout, stderr string
		status         int
	}
	host := func(args ...string) result {
		cmd := exec.Command(h.rofix, args...)
		cmd.Dir = ws
		var out, errs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errs
		err := cmd.Run()
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatal(err)
		}
		return result{out.String(), errs.String(), cmd.ProcessState.ExitCode()}
	}

	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			out := t.TempDir()
			build := h.command(ctx, filepath.Join(root, "scripts", "image.sh"))
			build.Dir = root
			build.Env = append(append([]string(nil), e.env...), "IMAGE="+image, "ENGINE="+e.cli, "OUT="+out)
			if b, err := build.CombinedOutput(); err != nil {
				t.Fatalf("scripts/image.sh: %v\n%s", err, b)
			}
			checkStatic(t, filepath.Join(out, "rootfs", "rofix"))
			inspect := h.command(ctx, e.cli, "image", "inspect", "--format", "{{.Config.User}} {{json .Config.Entrypoint}}", image)
			inspect.Env = e.env
			if b, err := inspect.CombinedOutput(); err != nil || strings.TrimSpace(string(b)) != `65532:65532 ["/rofix"]` {
				t.Errorf("image user and entrypoint: %v: %s; want 65532:65532 [\"/rofix\"]", err, b)
			}

			container := func(args ...string) result {
				run := append([]string{"run", "--rm", "--read-only", "--network", "none",
					"--security-opt", "no-new-privileges", "--cap-drop", "all",
					"-v", ws + ":/src:ro", image}, args...)
				cmd := h.command(ctx, e.cli, run...)
				cmd.Env = e.env
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				h.started.Add(1)
				if _, ok := err.(*exec.ExitError); err != nil && !ok {
					t.Fatal(err)
				}
				return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
			}
			for _, args := range [][]string{{"-d", "."}, {"--check", "-l", "."}, {"--ro-mounts=binds", "webapp/compose.yaml"}} {
				want, got := host(args...), container(args...)
				if got != want {
					t.Errorf("rofix %s: in the image\n%+v\non the host\n%+v", strings.Join(args, " "), got, want)
				}
				if want.stdout == "" {
					t.Errorf("rofix %s prints nothing: the comparison shows nothing", strings.Join(args, " "))
				}
			}
			// The mount is read-only: -w fails and changes nothing.
			before := host("-d", ".")
			if got := container("-w", "."); got.status != 2 || !strings.Contains(got.stderr, "read-only file system") {
				t.Errorf("rofix -w on the read-only mount: %+v; want status 2, read-only file system", got)
			}
			if after := host("-d", "."); after != before {
				t.Error("rofix -w in the image changed the files")
			}
		})
	}
}

// checkStatic fails unless path is an ELF executable without a dynamic
// loader or shared libraries: it runs in an image holding nothing else.
func checkStatic(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s is dynamically linked (%s)", path, p.Type)
		}
	}
}

// copyTree copies a directory tree, readable by every user (the image runs
// as 65532).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.Chmod(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
