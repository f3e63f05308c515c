package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// realApp is one of the six real servers of testdata/realapps/compose.yaml,
// with the probe that shows it answers and, for those with state, a write
// that must land in its data volume.
type realApp struct {
	name  string   // the compose service; its image is localhost/realapps-NAME
	user  string   // the user the probes run as ("" for root)
	probe []string // run with docker exec; must print want
	want  string
	// write stores something through the server; written then checks, in
	// the container, that it reached the data volume.
	write, written []string
}

// realApps are the servers, each probed the way realapps.md says.
var realApps = []realApp{
	{name: "nginx", probe: httpGet(80), want: "200 OK"},
	{name: "redis", probe: []string{"redis-cli", "ping"}, want: "PONG",
		write:   []string{"sh", "-c", "redis-cli set rofix e2e && redis-cli save"},
		written: []string{"test", "-s", "/var/lib/redis/dump.rdb"}},
	{name: "postgres", user: "postgres",
		probe: []string{"psql", "-h", "/run/postgresql", "-d", "postgres", "-tAc", "select 1"}, want: "1",
		write:   []string{"psql", "-h", "/run/postgresql", "-d", "postgres", "-c", "create table rofix_e2e (x int)"},
		written: []string{"sh", "-c", `test -s /var/lib/postgresql/data/PG_VERSION && psql -h /run/postgresql -d postgres -tAc "select 'found' from pg_tables where tablename = 'rofix_e2e'" | grep found`}},
	{name: "mariadb", probe: []string{"mariadb", "-N", "-uroot", "-e", "select 1"}, want: "1",
		write:   []string{"mariadb", "-uroot", "-e", "create database rofix_e2e"},
		written: []string{"test", "-d", "/var/lib/mysql/rofix_e2e"}},
	{name: "memcached", probe: []string{"bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/11211; printf 'stats\r\nquit\r\n' >&3; cat <&3`}, want: "STAT pid"},
	{name: "apache", probe: httpGet(80), want: "200 OK"},
}

// httpGet is a probe that prints the status line of GET / on a port.
func httpGet(port int) []string {
	return []string{"bash", "-c", fmt.Sprintf(`exec 3<>/dev/tcp/127.0.0.1/%d; printf 'GET / HTTP/1.0\r\n\r\n' >&3; head -1 <&3`, port)}
}

// builtinFails lists, per engine, the servers that die hardened with
// rofix's built-in knowledge only (read-only root, a /tmp tmpfs). Docker:
// nginx cannot create /var/lib/nginx/body, PostgreSQL its lock file in
// /run/postgresql, MariaDB /run/mysqld, Apache /run/apache2. Podman mounts
// its own tmpfs on /run, /tmp and /var/tmp for a read-only container (with
// the image's /run copied in), which saves PostgreSQL and MariaDB; nginx
// (/var/lib/nginx) and Apache (/var/log/apache2) still die.
var builtinFails = map[bool][]string{
	false: {"nginx", "postgres", "mariadb", "apache"},
	true:  {"nginx", "apache"},
}

// realappsImage is the real-servers root filesystem, built once per run
// (and cached between runs), for the engines' subtests.
var realappsImage struct {
	once sync.Once
	tar  string
	err  error
}

// TestRealServers proves rofix learn and the hardening on six real servers
// from Debian's packages, on each engine: the originals start and answer;
// hardened with rofix's built-in knowledge only, the ones that write outside
// /tmp die; after `rofix learn` on the original containers and `rofix -w`
// with the learned .rofix.yaml in the working directory, all six start,
// answer the same probes, have a read-only root and NoNewPrivs 1, and write
// their data volumes.
func TestRealServers(t *testing.T) {
	h := needRealapps(t)
	for _, ep := range h.endpoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel() // the engines are independent
			h.realServers(t, ep)
		})
	}
}

// needRealapps returns the harness once the real-servers image is built;
// without it the test skips (fails with CI=true), or fails when rofix did
// not build.
func needRealapps(t *testing.T) *harness {
	t.Helper()
	h := needRofix(t)
	if os.Getenv("ROFIX_E2E_REALAPPS") == "0" {
		t.Skip("ROFIX_E2E_REALAPPS=0")
	}
	realappsImage.once.Do(func() { realappsImage.tar, realappsImage.err = h.debootstrapRootfs("realapps") })
	if realappsImage.err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(realappsImage.err)
		}
		t.Skip(realappsImage.err)
	}
	return h
}

// debootstrapRootfs returns the tarball testdata/NAME/build-rootfs.sh
// builds, building it when the cache (e2eCacheDir) lacks it; the
// file name, NAME-HASH.tar, carries a hash of the script, so a change of
// the recipe rebuilds it.
func (h *harness) debootstrapRootfs(name string) (string, error) {
	script, err := filepath.Abs(filepath.Join("testdata", name, "build-rootfs.sh"))
	if err != nil {
		return "", err
	}
	recipe, err := os.ReadFile(script)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(recipe)
	dir, err := e2eCacheDir()
	if err != nil {
		return "", err
	}
	tarball := filepath.Join(dir, name+"-"+hex.EncodeToString(sum[:6])+".tar")
	if _, err := os.Stat(tarball); err == nil {
		return tarball, nil
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return "", fmt.Errorf("the %s image needs debootstrap (Debian: apt-get install debootstrap) and root", name)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	begin := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if out, err := h.output(ctx, script, tarball); err != nil {
		return "", fmt.Errorf("building the %s image with debootstrap: %v\n%s", name, err, tail(out, 3000))
	}
	fmt.Printf("e2e: built the %s image (%s) in %s\n", name, tarball, time.Since(begin).Round(time.Second))
	return tarball, nil
}

// importRootfs imports a root filesystem tarball into the engine as
// BASE:TAG and tags it BASE-NAME:TAG for each name, as importRealapps does
// for the six; the images go when the test ends.
func (h *harness) importRootfs(t *testing.T, ep *endpoint, tarball, base, tag string, names []string) {
	t.Helper()
	cli := h.docker
	if ep.podmanAPI && h.podman != "" {
		cli = h.podman // the service shares podman's storage; podman imports faster
	}
	run := func(args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
		defer cancel()
		cmd := h.command(ctx, cli, args...)
		cmd.Env = ep.env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(cli), strings.Join(args, " "), err, out)
		}
	}
	images := []string{base + ":" + tag}
	t.Cleanup(func() {
		cmd := h.command(context.Background(), cli, append([]string{"rmi", "-f"}, images...)...)
		cmd.Env = ep.env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("removing the images of %s: %v\n%s", filepath.Base(tarball), err, out)
		}
	})
	begin := time.Now()
	run("import", tarball, images[0])
	for _, name := range names {
		ref := base + "-" + name + ":" + tag
		images = append(images, ref)
		run("tag", images[0], ref)
	}
	t.Logf("imported %s in %s", filepath.Base(tarball), time.Since(begin).Round(time.Second))
}

// realServers runs the three sides on one engine.
func (h *harness) realServers(t *testing.T, ep *endpoint) {
	tag := "e2e-" + h.id
	h.importRealapps(t, ep, tag)
	root := t.TempDir()
	newDir := func(name string) string {
		dir := filepath.Join(root, name)
		must(t, os.MkdirAll(dir, 0o755))
		writeRealappsCompose(t, dir, tag)
		return dir
	}
	project := func(dir, suffix string) composeProject {
		return h.newProject(t, ep, workspace{dir: dir}, "compose.yaml", "realapps"+ep.name+suffix)
	}

	begin := time.Now()
	step := func(what string) { t.Logf("%s: %s", time.Since(begin).Round(time.Second), what) }

	// The originals and the copy hardened with built-in knowledge only
	// start together; each project keeps running until the test ends.
	orig := project(newDir("original"), "o")
	builtin := newDir("builtin")
	if _, err := h.harden(t.Context(), filepath.Join(builtin, "compose.yaml")); err != nil {
		t.Fatal(err)
	}
	bp := project(builtin, "b")
	errs := make(chan error, 2)
	for _, p := range []composeProject{orig, bp} {
		go func() { errs <- p.upDetached(t.Context()) }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	step("original and built-in-only projects up")

	// 1. The originals answer and write their volumes; learn on them.
	for _, app := range realApps {
		if err := orig.waitProbe(t, app); err != nil {
			t.Fatalf("original %s: %v", app.name, err)
		}
		orig.writeData(t, app)
	}
	step("originals answer")
	learned := newDir("learned")
	engine := "docker"
	if ep.name == "podman" {
		engine = "podman" // the podman CLI, on the storage its service shares
	}
	var names []string
	for _, app := range realApps {
		names = append(names, orig.container(app.name))
	}
	cmd := h.command(t.Context(), h.rofix, append([]string{"learn", "--engine", engine}, names...)...)
	cmd.Dir, cmd.Env = learned, ep.env
	out, err := cmd.CombinedOutput()
	t.Logf("rofix learn --engine %s:\n%s", engine, out)
	if err != nil {
		t.Fatalf("rofix learn: %v", err)
	}
	config, err := os.ReadFile(filepath.Join(learned, ".rofix.yaml"))
	must(t, err)
	t.Logf(".rofix.yaml:\n%s", config)
	step("learned")
	// Learning the same containers again changes nothing.
	cmd = h.command(t.Context(), h.rofix, append([]string{"learn", "--engine", engine}, names...)...)
	cmd.Dir, cmd.Env = learned, ep.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rofix learn again: %v\n%s", err, out)
	}
	if again, _ := os.ReadFile(filepath.Join(learned, ".rofix.yaml")); string(again) != string(config) {
		t.Errorf("a second rofix learn changed .rofix.yaml:\n%s", again)
	}

	// 2. Built-in knowledge only: the servers that write outside /tmp die.
	var died []string
	for _, app := range realApps {
		if err := bp.waitProbe(t, app); err != nil {
			died = append(died, app.name)
			t.Logf("built-in only, %s does not run: %v", app.name, err)
		}
	}
	if want := builtinFails[ep.podmanAPI]; !slices.Equal(died, want) {
		t.Errorf("built-in knowledge only: %v do not run, want %v", died, want)
	}
	step("built-in-only checked")

	// 3. After learn: rofix -w finds .rofix.yaml in the working directory.
	rw := h.command(t.Context(), h.rofix, "-w", "compose.yaml")
	rw.Dir = learned
	if out, err := rw.CombinedOutput(); err != nil {
		t.Fatalf("rofix -w with the learned .rofix.yaml: %v\n%s", err, out)
	}
	hardened, err := os.ReadFile(filepath.Join(learned, "compose.yaml"))
	must(t, err)
	t.Logf("rofix -w compose.yaml with the learned .rofix.yaml:\n%s", hardened)
	lp := project(learned, "l")
	if err := lp.upDetached(t.Context()); err != nil {
		t.Fatal(err)
	}
	step("learned project up")
	defer step("learned project checked")
	lp.checkHardened(t, "hardened after learn")
}

// checkHardened checks, for each real server of a hardened project that is
// up, that it answers its probe, has a read-only root and NoNewPrivs 1,
// and writes its data volume.
func (p composeProject) checkHardened(t *testing.T, what string) {
	for _, app := range realApps {
		t.Run(app.name, func(t *testing.T) {
			if err := p.waitProbe(t, app); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			c := p.container(app.name)
			if out, err := p.exec(t, c, "", "touch", "/rofix-e2e-root"); err == nil {
				t.Errorf("the root filesystem is writable (read-only missing): %s", out)
			} else if !strings.Contains(out, "Read-only file system") {
				t.Errorf("writing / failed, but not for a read-only root: %s", out)
			}
			if out, err := p.exec(t, c, "", "grep", "NoNewPrivs", "/proc/1/status"); err != nil || strings.Fields(out)[len(strings.Fields(out))-1] != "1" {
				t.Errorf("NoNewPrivs of the server: %q, want 1 (%v)", out, err)
			}
			p.writeData(t, app)
		})
	}
}

// importRealapps imports the real-servers tarball into the engine once per
// test and tags it for each server; the tags go when the test ends.
func (h *harness) importRealapps(t *testing.T, ep *endpoint, tag string) {
	var names []string
	for _, app := range realApps {
		names = append(names, app.name)
	}
	h.importRootfs(t, ep, realappsImage.tar, "localhost/realapps", tag, names)
}

// upDetached starts a project's services in the background.
func (p composeProject) upDetached(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, containerTimeout)
	defer cancel()
	p.h.started.Add(int64(len(realApps)))
	if out, err := p.run(ctx, "up", "-d", "--no-color"); err != nil {
		return fmt.Errorf("compose up %s: %v\n%s", p.name, err, out)
	}
	return nil
}

// container returns the name docker-compose 1.29 gives a service's
// container.
func (p composeProject) container(service string) string {
	return p.name + "_" + service + "_1"
}

// exec runs a command in a running container.
func (p composeProject) exec(t *testing.T, container, user string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	all := []string{"exec"}
	if user != "" {
		all = append(all, "-u", user)
	}
	cmd := p.h.command(ctx, p.h.docker, append(append(all, container), args...)...)
	cmd.Env = p.ep.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// probeTimeout bounds the wait for a server's first answer (PostgreSQL's
// initdb included).
const probeTimeout = 90 * time.Second

// waitProbe waits until the server answers its probe; an error when its
// container stops first or it does not answer in time, with its logs.
func (p composeProject) waitProbe(t *testing.T, app realApp) error {
	c := p.container(app.name)
	deadline := time.Now().Add(probeTimeout)
	var last string
	for {
		out, err := p.exec(t, c, app.user, app.probe...)
		if err == nil && strings.Contains(out, app.want) {
			return nil
		}
		last = strings.TrimSpace(out)
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		cmd := p.h.command(ctx, p.h.docker, "inspect", "--format", "{{.State.Running}}", c)
		cmd.Env = p.ep.env
		state, _ := cmd.Output()
		cancel()
		if strings.TrimSpace(string(state)) != "true" || time.Now().After(deadline) {
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			cmd := p.h.command(ctx, p.h.docker, "logs", "--tail", "15", c)
			cmd.Env = p.ep.env
			logs, _ := cmd.CombinedOutput()
			cancel()
			why := "stopped"
			if strings.TrimSpace(string(state)) == "true" {
				why = fmt.Sprintf("no answer in %s", probeTimeout)
			}
			return fmt.Errorf("%s (last probe: %q); logs:\n%s", why, last, tail(string(logs), 1500))
		}
		select {
		case <-t.Context().Done():
			return t.Context().Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// writeData stores something through the server and checks that it
// reached the data volume.
func (p composeProject) writeData(t *testing.T, app realApp) {
	t.Helper()
	if app.write == nil {
		return
	}
	c := p.container(app.name)
	if out, err := p.exec(t, c, app.user, app.write...); err != nil {
		t.Errorf("%s: writing data: %v\n%s", app.name, err, out)
		return
	}
	if out, err := p.exec(t, c, app.user, app.written...); err != nil {
		t.Errorf("%s: the data volume was not written: %v\n%s", app.name, err, out)
	}
}

// writeRealappsCompose writes the six real servers' compose file
// (testdata/realapps/compose.yaml, its images tagged tag) into dir and
// returns its path.
func writeRealappsCompose(t *testing.T, dir, tag string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "realapps", "compose.yaml"))
	must(t, err)
	file := filepath.Join(dir, "compose.yaml")
	must(t, os.WriteFile(file, []byte(strings.ReplaceAll(string(src), ":TAG", ":"+tag)), 0o644))
	return file
}
