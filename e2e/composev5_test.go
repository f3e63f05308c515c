package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The current Docker Compose (the `docker compose` CLI plugin users run),
// next to Debian's docker-compose 1.29 the suite uses by default. Debian
// does not package it and `go install` refuses the module (its go.mod has
// exclude directives), so the suite builds it from the module's source,
// once, into the cache realapps_test.go uses.

// composeV5Module and composeV5Version name the Docker Compose to build.
const (
	composeV5Module  = "github.com/docker/compose/v5"
	composeV5Version = "v5.6.0"
)

// composeV5Tool is the plugin, built from its module's source: the version
// Docker's Makefile stamps, so `docker compose version` says which one this
// is rather than "dev".
var composeV5Tool = goTool{
	module: composeV5Module, version: composeV5Version, pkg: "./cmd",
	file:    "docker-compose-" + composeV5Version,
	ldflags: "-w -X " + composeV5Module + "/internal.Version=" + composeV5Version,
	timeout: 10 * time.Minute,
}

// errComposeV5Off is the error of composeV5Plugin when ROFIX_E2E_COMPOSE_V5
// is 0: a choice, not a failure, even in CI.
var errComposeV5Off = errors.New("ROFIX_E2E_COMPOSE_V5=0: Docker Compose v5 is not used")

// composeV5 is the plugin binary, found or built once per run.
var composeV5 struct {
	once sync.Once
	path string
	err  error
}

// composeV5Plugin returns the path of a Docker Compose v5.6.0 plugin binary:
// $ROFIX_E2E_COMPOSE_V5 when it names one, else the cached build, built on
// the first call when the cache lacks it. ROFIX_E2E_COMPOSE_V5=0 makes it
// return errComposeV5Off.
func composeV5Plugin() (string, error) {
	composeV5.once.Do(func() { composeV5.path, composeV5.err = findComposeV5() })
	return composeV5.path, composeV5.err
}

// findComposeV5 is composeV5Plugin's work.
func findComposeV5() (string, error) {
	switch v := os.Getenv("ROFIX_E2E_COMPOSE_V5"); v {
	case "0":
		return "", errComposeV5Off
	case "":
	default:
		p, err := filepath.Abs(v)
		if err != nil {
			return "", err
		}
		fi, err := os.Stat(p)
		if err != nil {
			return "", fmt.Errorf("ROFIX_E2E_COMPOSE_V5: %v", err)
		}
		if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return "", fmt.Errorf("ROFIX_E2E_COMPOSE_V5=%s is not an executable file", v)
		}
		return p, nil
	}
	bin, err := composeV5Tool.cached()
	if err != nil {
		return "", fmt.Errorf("(set ROFIX_E2E_COMPOSE_V5 to a plugin binary, or to 0 to do without): %w", err)
	}
	return bin, nil
}

// e2eCacheDir returns the directory that keeps what the suite builds
// between runs: ROFIX_E2E_CACHE, else $XDG_CACHE_HOME/rofix-e2e, else
// ~/.cache/rofix-e2e (as debootstrapRootfs).
func e2eCacheDir() (string, error) {
	if dir := os.Getenv("ROFIX_E2E_CACHE"); dir != "" {
		return dir, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory: %v (set ROFIX_E2E_CACHE)", err)
	}
	return filepath.Join(base, "rofix-e2e"), nil
}

// dockerConfigWithPlugin returns a DOCKER_CONFIG directory under the run's
// directory whose cli-plugins/docker-compose is plugin: with DOCKER_CONFIG
// set to it, `docker compose` runs plugin. The directory is named after
// plugin's path and made on the first call; later calls, concurrent ones
// included, return it as it is.
func (h *harness) dockerConfigWithPlugin(plugin string) (string, error) {
	sum := sha256.Sum256([]byte(plugin))
	conf := filepath.Join(h.dir, "docker-config-"+hex.EncodeToString(sum[:6]))
	plugins := filepath.Join(conf, "cli-plugins")
	link := filepath.Join(plugins, "docker-compose")
	if dest, err := os.Readlink(link); err == nil && dest == plugin {
		return conf, nil
	}
	if err := os.MkdirAll(plugins, 0o700); err != nil {
		return "", err
	}
	// A symbolic link made aside and renamed into place: concurrent
	// callers all succeed, and none sees a partial directory.
	tmp, err := os.MkdirTemp(conf, ".link-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := os.Symlink(plugin, filepath.Join(tmp, "docker-compose")); err != nil {
		return "", err
	}
	if err := os.Rename(filepath.Join(tmp, "docker-compose"), link); err != nil {
		return "", err
	}
	return conf, nil
}

// composeImpl is one compose implementation to run a project with.
type composeImpl struct {
	name string   // "compose-v5", "docker-compose-v1", or "compose" for ROFIX_E2E_COMPOSE's
	argv []string // the command and its first arguments: docker compose, or docker-compose
	env  []string // the endpoint's environment; for compose-v5 DOCKER_CONFIG too
	// legacy is true for docker-compose 1.x: it names containers
	// PROJECT_SERVICE_1 and has no `up --wait`.
	legacy bool
}

// container returns the name the implementation gives the first container
// of a project's service.
func (c composeImpl) container(project, service string) string {
	if c.legacy {
		return project + "_" + service + "_1"
	}
	return project + "-" + service + "-1"
}

// command returns the compose command with args, in the implementation's
// environment.
func (c composeImpl) command(ctx context.Context, h *harness, args ...string) *exec.Cmd {
	cmd := h.command(ctx, c.argv[0], append(slices.Clip(c.argv[1:]), args...)...)
	cmd.Env = c.env
	return cmd
}

// composeImpls returns the compose implementations to run on ep: the
// suite's compose (Debian's docker-compose 1.29 unless ROFIX_E2E_COMPOSE
// says otherwise), then Docker Compose v5 through `docker compose`. When v5
// is unavailable it is a failure with CI=true (unless ROFIX_E2E_COMPOSE_V5=0
// asked for that), elsewhere a notice in the log and the first one only.
func (h *harness) composeImpls(t *testing.T, ep *endpoint) []composeImpl {
	t.Helper()
	suiteImpl := composeImpl{name: "compose", argv: h.compose, env: ep.env}
	if len(h.compose) == 1 {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		out, err := h.command(ctx, h.compose[0], "version", "--short").Output()
		cancel()
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(out)), "1.") {
			suiteImpl.name, suiteImpl.legacy = "docker-compose-v1", true
		}
	}
	impls := []composeImpl{suiteImpl}
	plugin, err := composeV5Plugin()
	var conf string
	if err == nil {
		conf, err = h.dockerConfigWithPlugin(plugin)
	}
	if err != nil {
		if os.Getenv("CI") == "true" && !errors.Is(err, errComposeV5Off) {
			t.Fatalf("Docker Compose v5 (CI=true, so this is a failure, not a skip): %v", err)
		}
		t.Logf("NOTE: without Docker Compose v5, %s only: %v", suiteImpl.name, err)
		return impls
	}
	return append(impls, composeImpl{
		name: "compose-v5",
		argv: []string{h.docker, "compose"},
		env:  append(slices.Clip(ep.env), "DOCKER_CONFIG="+conf),
	})
}

// TestComposeV5 runs a tiny read-only project with each compose
// implementation on each engine: `up -d` (with --wait where the
// implementation has it) must leave the container running under the name
// the implementation gives it, with a read-only root filesystem.
func TestComposeV5(t *testing.T) {
	h := need(t)
	for _, ep := range h.endpoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel() // the engines are independent
			impls := h.composeImpls(t, ep)
			if !slices.ContainsFunc(impls, func(c composeImpl) bool { return c.name == "compose-v5" }) {
				t.Skip("no Docker Compose v5 (see the notice above)")
			}
			for _, c := range impls {
				t.Run(c.name, func(t *testing.T) { h.composeReadOnly(t, ep, c) })
			}
		})
	}
}

// composeReadOnly brings up one read-only service with c and checks its
// container.
func (h *harness) composeReadOnly(t *testing.T, ep *endpoint, c composeImpl) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	must(t, os.WriteFile(file, []byte(`services:
  app:
    image: `+h.image+`
    network_mode: none
    command: ["sh", "-c", "echo ok; sleep 30"]
    read_only: true
    tmpfs: [/tmp]
`), 0o644))
	project := "rofixe2e" + h.id + "ro" + ep.name + strings.ReplaceAll(c.name, "-", "")
	run := func(ctx context.Context, args ...string) (string, error) {
		out, err := c.command(ctx, h, append([]string{"-p", project, "-f", file}, args...)...).CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// sh as pid 1 ignores SIGTERM: no need to wait for it.
		if out, err := run(ctx, "down", "--volumes", "--remove-orphans", "--timeout", "1"); err != nil {
			t.Errorf("%s down %s: %v\n%s", c.name, project, err, out)
		}
	})

	if !c.legacy {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		out, err := c.command(ctx, h, "version").CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("%s version: %v\n%s", c.name, err, out)
		}
		t.Logf("%s version: %s", c.name, strings.TrimSpace(string(out)))
	}
	up := []string{"up", "-d"}
	if !c.legacy {
		up = append(up, "--wait")
	}
	ctx, cancel := context.WithTimeout(t.Context(), containerTimeout)
	defer cancel()
	h.started.Add(1)
	if out, err := run(ctx, up...); err != nil {
		t.Fatalf("%s %s: %v\n%s", c.name, strings.Join(up, " "), err, out)
	}
	name := c.container(project, "app")
	cmd := h.command(ctx, h.docker, "inspect", "--format", "{{.State.Running}} {{.HostConfig.ReadonlyRootfs}}", name)
	cmd.Env = ep.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker inspect %s: %v\n%s", name, err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "true true" {
		t.Errorf("%s: running and read-only root = %q, want \"true true\"", name, got)
	}
	// The command ran: its output is in the logs, soon if not at once.
	for deadline := time.Now().Add(10 * time.Second); ; {
		out, err := run(ctx, "logs", "--no-color", "app")
		if err == nil && slices.ContainsFunc(strings.Split(out, "\n"), func(line string) bool {
			_, msg, _ := strings.Cut(line, "|") // after the service's prefix
			return strings.TrimSpace(msg) == "ok"
		}) {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("%s logs app: no \"ok\" (error: %v)\n%s", c.name, err, out)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
}
