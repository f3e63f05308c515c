package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// goTool is a program the suite builds from a Go module's source, fetched
// through the module proxy, once, into the cache (e2eCacheDir): Docker
// Compose v5 (composev5_test.go), Podman's Quadlet generator
// (units_test.go).
type goTool struct {
	module, version string
	pkg             string // the package to build, relative to the module's root
	file            string // the binary's name in the cache, with the version in it
	ldflags         string
	// noVendor removes the module's vendor/ directory and builds with
	// -mod=mod: podman's module zip carries an incomplete one.
	noVendor bool
	timeout  time.Duration // bounds the build, download included
}

// cached returns the path of the tool's binary in the cache, building it
// first when the cache lacks it.
func (g goTool) cached() (string, error) {
	dir, err := e2eCacheDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, g.file)
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() {
		return bin, nil
	}
	begin := time.Now()
	if err := g.build(dir, bin); err != nil {
		return "", fmt.Errorf("building %s@%s %s: %w", g.module, g.version, g.pkg, err)
	}
	fmt.Printf("e2e: built %s %s (%s) in %s\n", g.module, g.version, bin, time.Since(begin).Round(time.Second))
	return bin, nil
}

// build downloads the module's source with the go command on PATH, builds
// the package from a writable copy in a temporary directory into a
// temporary file in dir, and renames that to bin, so that a concurrent run
// never sees half a binary.
func (g goTool) build(dir, bin string) error {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
	defer cancel()
	work, err := os.MkdirTemp("", "rofix-gotool-src-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// Outside any module (and workspace): the download must not touch
	// this module's go.mod and go.sum.
	env := append(os.Environ(), "GOWORK=off")
	run := func(dir string, args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, gobin, args...)
		cmd.Dir, cmd.Env, cmd.WaitDelay = dir, env, 5*time.Second
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, tail(stderr.String()+string(out), 3000))
		}
		return out, nil
	}
	out, err := run(work, "mod", "download", "-json", g.module+"@"+g.version)
	if err != nil {
		return err
	}
	var mod struct{ Dir, Error string }
	if err := json.Unmarshal(out, &mod); err != nil {
		return fmt.Errorf("go mod download: %v\n%s", err, out)
	}
	if mod.Error != "" || mod.Dir == "" {
		return fmt.Errorf("go mod download: no source directory: %s", mod.Error)
	}
	// The module cache is read-only; CopyFS creates writable files.
	src := filepath.Join(work, "src")
	if err := os.CopyFS(src, os.DirFS(mod.Dir)); err != nil {
		return fmt.Errorf("copying the source: %v", err)
	}
	args := []string{"build", "-trimpath"}
	if g.noVendor {
		if err := os.RemoveAll(filepath.Join(src, "vendor")); err != nil {
			return err
		}
		args = append(args, "-mod=mod")
	}
	if g.ldflags != "" {
		args = append(args, "-ldflags", g.ldflags)
	}
	tmp, err := os.CreateTemp(dir, "."+g.file+"-*")
	if err != nil {
		return err
	}
	tmp.Close()
	defer os.Remove(tmp.Name()) // fails once renamed, as it should
	if _, err := run(src, append(args, "-o", tmp.Name(), g.pkg)...); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o755); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), bin)
}
