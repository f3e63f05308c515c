package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestKube plays a Kubernetes manifest with `podman kube play` as written
// and after `rofix -w`: the hardened pod starts, its root filesystem is
// read-only, /tmp (the emptyDir rofix adds) is writable, NoNewPrivs is 1
// (allowPrivilegeEscalation: false) and the configuration hostPath is
// read-only while the data hostPath stays writable.
func TestKube(t *testing.T) {
	h := need(t)
	if h.podman == "" {
		t.Skip(h.podmanSkip)
	}
	checks := asRoot(ro("conf"), rw("data"))
	root := t.TempDir()
	run := func(side string) result {
		w := newWorkspace(t, root, side)
		pod := "rofixe2e" + h.id + "kube" + side
		text, err := os.ReadFile(filepath.Join("testdata", "kube", "probe.yaml"))
		must(t, err)
		manifest := strings.NewReplacer("__POD__", pod, "__IMAGE__", h.image, "__CONF__", w.conf, "__DATA__", w.data).Replace(string(text))
		file := filepath.Join(w.dir, "probe.yaml")
		must(t, os.WriteFile(file, []byte(manifest), 0o644))
		if side == "hardened" {
			hardened, err := h.harden(t.Context(), file)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("rofix -w probe.yaml:\n%s", hardened)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			// The container first, with -v: the emptyDir volumes podman
			// made for it are anonymous and go with it.
			for _, args := range [][]string{{"rm", "-f", "-v", "--ignore", pod + "-check"}, {"pod", "rm", "-f", "--ignore", pod}} {
				cmd := h.command(ctx, h.podman, args...)
				cmd.Env = h.env
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("podman %s %s: %v\n%s", args[0], pod, err, out)
				}
			}
		})
		ctx, cancel := context.WithTimeout(t.Context(), containerTimeout)
		defer cancel()
		h.started.Add(1)
		podman := func(args ...string) (string, error) {
			cmd := h.command(ctx, h.podman, args...)
			cmd.Env = h.env
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		if out, err := podman("kube", "play", "--network", "none", file); err != nil {
			return parse(out, err)
		}
		if out, err := podman("wait", pod+"-check"); err != nil {
			return parse(out, err)
		}
		return parse(podman("logs", pod+"-check"))
	}
	orig := run("original")
	orig.mustComplete(t, "original")
	hard := run("hardened")
	hard.mustComplete(t, "hardened")
	assertChecks(t, orig, hard, checks)
}
