package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// nonRoot returns the checks of a container running as uid 1000, plus
// extra. A non-root user cannot create files in / at all (podman makes the
// image's / mode 0555), so the root filesystem shows through /scratch, a
// world-writable directory in the image.
func nonRoot(extra ...check) []check {
	return append([]check{
		{"uid", "1000", "1000"},
		{"root", "denied", "erofs"},
		{"rootfs", "ok", "erofs"},
		{"tmp", "ok", "ok"},
		{"nnp", "0", "1"},
		{"euid", "0", "1000"},
	}, extra...)
}

// asRoot returns the checks of a container running as root, plus extra.
func asRoot(extra ...check) []check {
	return append([]check{
		{"uid", "0", "0"},
		{"root", "ok", "erofs"},
		{"rootfs", "ok", "erofs"},
		{"tmp", "ok", "ok"},
		{"nnp", "0", "1"},
		{"euid", "0", "0"},
	}, extra...)
}

// ro is a path the container can write before rofix and not after: a bind
// mount rofix makes read-only, or /var/tmp with no tmpfs once read-only.
func ro(key string) check { return check{key, "ok", "erofs"} }

// rw is a path the container can write before and after rofix: a data
// mount, an explicit :rw, or a tmpfs.
func rw(key string) check { return check{key, "ok", "ok"} }

// TestShell runs each shell fixture as written and after `rofix -w`, and
// compares what its container can do: the docker fixtures on every engine,
// the podman fixtures with podman itself.
func TestShell(t *testing.T) {
	h := need(t)
	type shellCase struct {
		script string
		checks []check
	}
	dockerCases := []shellCase{
		{"docker-oneline.sh", nonRoot(ro("conf"), rw("data"))},
		{"docker-continued.sh", asRoot(ro("sock"), ro("conf"), rw("data"))},
		{"docker-function.bash", nonRoot(ro("conf"), rw("data"))},
		{"docker-mounts.sh", nonRoot(ro("conf"), ro("pem"), rw("state"), rw("data"))},
		{"docker-tmp-bind.sh", asRoot()},
		{"docker-tmpfs-options.sh", asRoot(ro("conf"))},
	}
	podmanCases := []shellCase{
		// --read-only-tmpfs=false gives podman Docker's semantics: /tmp is
		// writable read-only only through the tmpfs rofix adds.
		{"podman-tmpfs.sh", nonRoot(ro("conf"), rw("data"), ro("vartmp"))},
		{"podman-continued.sh", asRoot(ro("conf"), rw("data"), rw("vartmp"))},
	}
	run := func(t *testing.T, env []string, cases []shellCase) {
		for _, c := range cases {
			t.Run(strings.TrimSuffix(c.script, filepath.Ext(c.script)), func(t *testing.T) {
				_, r, _ := h.sides(t, env, c.script, c.checks)
				r.mustComplete(t, "hardened")
				assertSide(t, "hardened", r, c.checks)
			})
		}
	}
	for _, ep := range h.endpoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel() // the engines are independent
			run(t, ep.env, dockerCases)
		})
	}
	t.Run("podman-cli", func(t *testing.T) {
		t.Parallel()
		if h.podman == "" {
			t.Skip(h.podmanSkip)
		}
		run(t, h.env, podmanCases)
	})
}

// TestShellCache shows that a read-only root with a tmpfs on /tmp alone
// breaks an image that writes elsewhere at start (/var/cache/app), and that
// a tmpfs there, added by hand, fixes it and survives rofix.
func TestShellCache(t *testing.T) {
	h := need(t)
	for _, ep := range h.endpoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel() // the engines are independent
			t.Run("without-tmpfs", func(t *testing.T) {
				_, r, hardened := h.sides(t, ep.env, "cache.sh", []check{{"cache", "ok", ""}})
				assertCacheOutcome(t, ep, hardened, r)
			})
			t.Run("with-tmpfs", func(t *testing.T) {
				checks := asRoot(rw("cache"))
				_, r, _ := h.sides(t, ep.env, "cache-tmpfs.sh", checks)
				r.mustComplete(t, "hardened")
				assertSide(t, "hardened", r, checks)
			})
		})
	}
}

// assertCacheOutcome checks the hardened run of the /var/cache/app image:
// while rofix knows nothing about the image it adds only /tmp, and the
// container must crash; once it learns to add a tmpfs on /var/cache/app
// (per-image knowledge), the container must start.
func assertCacheOutcome(t *testing.T, ep *endpoint, hardened string, r result) {
	t.Helper()
	if mentionsCache(hardened) {
		t.Log("rofix added /var/cache/app itself: the container must start")
		r.mustComplete(t, "hardened")
		if r.vals["cache"] != "ok" || r.vals["root"] != "erofs" {
			t.Errorf("hardened: cache=%q root=%q, want ok and erofs\n%s", r.vals["cache"], r.vals["root"], r.out)
		}
		return
	}
	// The output, not the exit status, tells: `docker run --rm` through
	// podman's Docker API (4.3) exits 0 whatever the container's status.
	if r.vals["cache"] != "failed" {
		t.Errorf("hardened without a tmpfs on /var/cache/app: want the entrypoint to fail (cache=failed), got cache=%q, error %v\n%s",
			r.vals["cache"], r.err, r.out)
	}
	if r.err == nil {
		if !ep.podmanAPI {
			t.Errorf("hardened: the container failed but the run exited 0\n%s", r.out)
		} else {
			t.Logf("the container failed; its exit status is lost (docker run --rm through podman's API)")
		}
	}
	if r.vals["done"] == "yes" {
		t.Errorf("hardened: the command ran although the entrypoint could not write its cache\n%s", r.out)
	}
}

// TestReadOnlyNeedsTmpfs is the control for the tmpfs on /tmp: read-only
// without any tmpfs, /tmp is not writable. Docker behaves so by default;
// podman when asked with --read-only-tmpfs=false. (Podman's Docker API
// always adds tmpfs on /tmp, /var/tmp and /run to a read-only container, so
// through its socket this cannot be observed.)
func TestReadOnlyNeedsTmpfs(t *testing.T) {
	h := need(t)
	type leg struct {
		name string
		cli  string
		env  []string
		args []string
	}
	var legs []leg
	if h.podman != "" {
		legs = append(legs, leg{"podman-cli", h.podman, h.env, []string{"--read-only-tmpfs=false"}})
	}
	for _, ep := range h.endpoints {
		if !ep.podmanAPI {
			legs = append(legs, leg{ep.name, h.docker, ep.env, nil})
		}
	}
	if len(legs) == 0 {
		t.Skip(h.podmanSkip)
	}
	for _, l := range legs {
		t.Run(l.name, func(t *testing.T) {
			run := func(extra ...string) result {
				ctx, cancel := context.WithTimeout(t.Context(), containerTimeout)
				defer cancel()
				args := append([]string{"run", "--rm", "--network", "none", "--read-only"}, l.args...)
				args = append(append(args, extra...), h.image, "e2e-check")
				cmd := h.command(ctx, l.cli, args...)
				cmd.Env = l.env
				h.started.Add(1)
				out, err := cmd.CombinedOutput()
				return parse(string(out), err)
			}
			bare := run()
			bare.mustComplete(t, "read-only")
			withTmp := run("--tmpfs", "/tmp")
			withTmp.mustComplete(t, "read-only with --tmpfs /tmp")
			assertChecks(t, bare, withTmp, []check{{"root", "erofs", "erofs"}, {"tmp", "erofs", "ok"}})
		})
	}
}

// mentionsCache reports whether /var/cache/app appears in the text outside
// shell comment lines.
func mentionsCache(text string) bool {
	for line := range strings.Lines(text) {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") && strings.Contains(line, "/var/cache/app") {
			return true
		}
	}
	return false
}
