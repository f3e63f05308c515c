package e2e

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// TestMakefile runs a Makefile recipe that starts a container with podman,
// as written and after `rofix -w`: the command rofix hardened inside the
// recipe (through make's $$ and $(VAR)) runs read-only, with NoNewPrivs 1,
// a writable /tmp and a read-only configuration file.
func TestMakefile(t *testing.T) {
	h := need(t)
	if h.podman == "" {
		t.Skip(h.podmanSkip)
	}
	checks := asRoot(ro("conf"), rw("data"))
	root := t.TempDir()
	run := func(w workspace) result {
		ctx, cancel := context.WithTimeout(t.Context(), containerTimeout)
		defer cancel()
		cmd := h.command(ctx, "make", "-f", filepath.Join(w.dir, "Makefile"), "check")
		cmd.Dir = w.dir
		cmd.Env = append(slices.Clip(h.env), "CONF="+w.conf, "DATA="+w.data)
		h.started.Add(1)
		out, err := cmd.CombinedOutput()
		return parse(string(out), err)
	}
	ow := newWorkspace(t, root, "original", "embed/Makefile")
	hw := newWorkspace(t, root, "hardened", "embed/Makefile")
	orig := run(ow)
	orig.mustComplete(t, "original")
	hardened, err := h.harden(t.Context(), filepath.Join(hw.dir, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rofix -w Makefile:\n%s", hardened)
	hard := run(hw)
	hard.mustComplete(t, "hardened")
	assertChecks(t, orig, hard, checks)
}
