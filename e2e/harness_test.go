package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// containerTimeout bounds one fixture run (one container, or one compose up).
const containerTimeout = 2 * time.Minute

// command returns a command with the suite's environment.
func (h *harness) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = h.env
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// output runs a command and returns its combined output.
func (h *harness) output(ctx context.Context, name string, args ...string) (string, error) {
	out, err := h.command(ctx, name, args...).CombinedOutput()
	return string(out), err
}

// cleanup removes the containers, volumes and images of this run from
// every engine, stops the daemons the suite started by their pids and
// removes the temporary directory.
func (h *harness) cleanup() error {
	var errs []error
	type engine struct {
		cli string
		env []string
	}
	var engines []engine
	for _, ep := range h.endpoints {
		if ep.name != "podman" { // podman's storage is cleaned below
			engines = append(engines, engine{h.docker, ep.env})
		}
	}
	if h.podman != "" {
		engines = append(engines, engine{h.podman, h.env})
	}
	for _, e := range engines {
		if err := h.cleanEngine(e.cli, e.env); err != nil {
			errs = append(errs, err)
		}
	}
	for _, d := range slices.Backward(h.daemons) {
		if err := d.stop(); err != nil {
			errs = append(errs, err)
		}
	}
	h.daemons = nil
	if h.dir != "" {
		if err := removeDir(h.dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// cleanEngine removes this run's containers, volumes and images from one
// engine.
func (h *harness) cleanEngine(cli string, env []string) error {
	if h.id == "" {
		return nil
	}
	return h.cleanRun(cli, env, h.id)
}

// cleanRun removes the containers, volumes and images of the run with the
// given id from one engine.
func (h *harness) cleanRun(cli string, env []string, id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var errs []error
	run := func(args ...string) string {
		cmd := h.command(ctx, cli, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %v: %s", filepath.Base(cli), args[0], err, out))
		}
		return string(out)
	}
	image, cacheImage := imageNames(id)
	// Containers of the run: each one runs one of its two images.
	var ids []string
	for line := range strings.Lines(run("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Image}}")) {
		f := strings.Fields(line)
		if len(f) == 2 && (f[1] == image || f[1] == cacheImage) {
			ids = append(ids, f[0])
		}
	}
	if len(ids) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: cleanup: removing %d leftover containers\n", len(ids))
		run(append([]string{"rm", "-f"}, ids...)...)
	}
	// Volumes: the shell fixtures' one and the compose projects' ones.
	var vols []string
	for _, v := range strings.Fields(run("volume", "ls", "-q")) {
		if strings.HasPrefix(v, "rofix-e2e-"+id) || strings.HasPrefix(v, "rofixe2e"+id) {
			vols = append(vols, v)
		}
	}
	if len(vols) > 0 {
		run(append([]string{"volume", "rm", "-f"}, vols...)...)
	}
	if strings.TrimSpace(run("images", "-q", image)+run("images", "-q", cacheImage)) != "" {
		run("rmi", "-f", image, cacheImage)
	}
	if own := rofixImageName(id); strings.TrimSpace(run("images", "-q", own)) != "" {
		run("rmi", "-f", own)
	}
	// The real-servers images of the run (realapps_test.go), tagged e2e-ID.
	var realapps []string
	for _, ref := range strings.Fields(run("images", "--format", "{{.Repository}}:{{.Tag}}")) {
		if m := staleRealapps.FindStringSubmatch(ref); m != nil && m[1] == id {
			realapps = append(realapps, ref)
		}
	}
	if len(realapps) > 0 {
		run(append([]string{"rmi", "-f"}, realapps...)...)
	}
	return errors.Join(errs...)
}

// imageNames returns the names of the two test images of a run.
func imageNames(id string) (image, cacheImage string) {
	return "localhost/rofix-e2e-" + id + ":latest", "localhost/rofix-e2e-" + id + "-cache:latest"
}

// rofixImageName returns the name of rofix's own image as a run builds it
// (image_test.go).
func rofixImageName(id string) string { return "localhost/rofix-e2e-" + id + "-rofix:latest" }

// staleImage matches the test images; the group is the run id.
var staleImage = regexp.MustCompile(`^localhost/rofix-e2e-([0-9a-f]{10})(-cache|-rofix)?$`)

// staleRealapps matches the real-servers images of a run (both sets, the
// tags of TestRealServers, TestTryRealServers and
// TestTryIndependentServers); the group is the run id.
var staleRealapps = regexp.MustCompile(`^localhost/realapps[0-9]*(?:-[a-z]+)?:(?:e2e|try|indep)-([0-9a-f]{10})$`)

// sweep removes what runs that were killed before their cleanup left behind:
// their temporary directories (whose pid file names a dead process) and
// their containers, volumes and images in the given engines (those of runs
// without a temporary directory: a live run creates it first).
func (h *harness) sweep(clis []string) {
	live := map[string]bool{}
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "rofix-e2e-*"))
	for _, dir := range dirs {
		id := strings.TrimPrefix(filepath.Base(dir), "rofix-e2e-")
		b, err := os.ReadFile(filepath.Join(dir, "pid"))
		pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || perr != nil || syscall.Kill(pid, 0) != syscall.ESRCH {
			live[id] = true // running, starting, or not ours to judge
			continue
		}
		fmt.Fprintf(os.Stderr, "e2e: removing %s, left by a killed run\n", dir)
		if err := removeDir(dir); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
			live[id] = true
		}
	}
	for _, cli := range clis {
		out, err := h.command(context.Background(), cli, "images", "--format", "{{.Repository}}:{{.Tag}}").Output()
		if err != nil {
			continue
		}
		stale := map[string]bool{}
		for _, repo := range strings.Fields(string(out)) {
			m := staleImage.FindStringSubmatch(strings.TrimSuffix(repo, ":latest"))
			if m == nil {
				m = staleRealapps.FindStringSubmatch(repo)
			}
			if m != nil && !live[m[1]] && m[1] != h.id {
				stale[m[1]] = true
			}
		}
		for id := range stale {
			fmt.Fprintf(os.Stderr, "e2e: removing the leftovers of killed run %s from %s\n", id, filepath.Base(cli))
			if err := h.cleanRun(cli, h.env, id); err != nil {
				fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
			}
		}
	}
}

// removeDir removes a run's temporary directory, first unmounting whatever
// is still mounted under it (dockerd mounts its data directory on itself).
func removeDir(dir string) error {
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err == nil {
		var points []string
		for line := range strings.Lines(string(info)) {
			// Field 5 is the mount point, with octal escapes for blanks.
			f := strings.Fields(line)
			if len(f) > 4 && strings.HasPrefix(f[4]+"/", dir+"/") {
				points = append(points, f[4])
			}
		}
		slices.SortFunc(points, func(a, b string) int { return len(b) - len(a) })
		for _, p := range points {
			_ = syscall.Unmount(p, syscall.MNT_DETACH)
		}
	}
	return os.RemoveAll(dir)
}

// tail returns the end of s, at most n bytes.
func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// result is what one container reported.
type result struct {
	out  string            // everything printed, for failure messages
	err  error             // the command's error (non-zero exit)
	vals map[string]string // the "E2E key=value" lines
}

// parse collects the "E2E key=value" lines of out, wherever they start in a
// line (compose prefixes them with the service name).
func parse(out string, err error) result {
	r := result{out: out, err: err, vals: map[string]string{}}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		i := strings.Index(line, "E2E ")
		if i < 0 {
			continue
		}
		f := strings.Fields(line[i+4:])
		if len(f) == 0 {
			continue
		}
		if k, v, ok := strings.Cut(f[0], "="); ok {
			r.vals[k] = v
		} else {
			r.vals[f[0]] = "yes"
		}
	}
	return r
}

// mustComplete fails the test unless the container ran the checks to the end.
func (r result) mustComplete(t *testing.T, side string) {
	t.Helper()
	if r.err != nil || r.vals["done"] != "yes" {
		t.Fatalf("%s: the container did not run its checks to the end (error: %v)\noutput:\n%s", side, r.err, tail(r.out, 4000))
	}
}

// check is one observation with its expected value before and after rofix.
type check struct {
	key, original, hardened string
}

// assertSide compares one side's observations with the expectations. The
// expectations must tell the sides apart somewhere, so that a test passes
// only if rofix's rewrite changed what the container can do.
func assertSide(t *testing.T, side string, r result, checks []check) {
	t.Helper()
	if !slices.ContainsFunc(checks, func(c check) bool { return c.original != c.hardened }) {
		t.Fatal("test bug: the expectations do not tell the original from the hardened run")
	}
	bad := false
	for _, c := range checks {
		want, why := c.original, ""
		if side == "hardened" {
			want, why = c.hardened, meaning(c.key, c.hardened)
		}
		if got := r.vals[c.key]; got != want {
			t.Errorf("%s: %s=%q, want %q%s", side, c.key, got, want, why)
			bad = true
		}
	}
	if bad {
		t.Logf("%s output:\n%s", side, tail(r.out, 3000))
	}
}

// assertChecks compares both sides with the expectations.
func assertChecks(t *testing.T, orig, hard result, checks []check) {
	t.Helper()
	assertSide(t, "original", orig, checks)
	assertSide(t, "hardened", hard, checks)
}

// meaning explains an expected value in a failure message.
func meaning(key, want string) string {
	switch {
	case key == "nnp" && want == "1":
		return " (no-new-privileges missing)"
	case key == "euid" && want != "0":
		return " (the setuid-root probe escalated: no-new-privileges missing)"
	case want == "erofs" && (key == "root" || key == "rootfs" || key == "vartmp"):
		return " (the root filesystem is writable: read-only missing)"
	case want == "erofs":
		return " (the bind mount is writable: :ro missing)"
	case want == "ok" && key == "tmp":
		return " (/tmp not writable: tmpfs missing)"
	case want == "ok":
		return " (a writable mount became read-only)"
	}
	return ""
}

// workspace is a copy of a fixture, with the files its mounts need.
type workspace struct {
	dir  string // the fixture's copy
	conf string // directory holding app.conf
	data string // data directory, writable by anyone
}

// newWorkspace copies the named fixture files into a fresh directory under
// root and creates app.conf, site.pem and data/ next to them, writable by
// uid 1000.
func newWorkspace(t *testing.T, root, name string, files ...string) workspace {
	t.Helper()
	w := workspace{dir: filepath.Join(root, name)}
	w.conf, w.data = w.dir, filepath.Join(w.dir, "data")
	if err := os.MkdirAll(w.data, 0o755); err != nil {
		t.Fatal(err)
	}
	// Mode bits survive the umask only through Chmod.
	must(t, os.Chmod(w.dir, 0o755))
	must(t, os.Chmod(w.data, 0o777))
	for _, f := range []string{"app.conf", "site.pem"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(w.conf, f), b, 0o666))
		must(t, os.Chmod(filepath.Join(w.conf, f), 0o666))
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		must(t, err)
		dst := filepath.Join(w.dir, filepath.Base(f))
		must(t, os.WriteFile(dst, b, 0o755))
		must(t, os.Chmod(dst, 0o755))
	}
	return w
}

// must fails the test on an error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// harden runs `rofix -w` on path and returns the hardened content. It is an
// error when rofix fails or changes nothing.
func (h *harness) harden(ctx context.Context, path string) (string, error) {
	if h.rofixErr != nil {
		return "", h.rofixErr
	}
	before, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := h.output(ctx, h.rofix, "-w", path)
	if err != nil {
		return "", fmt.Errorf("rofix -w %s: %v\n%s", filepath.Base(path), err, out)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if string(after) == string(before) {
		return "", fmt.Errorf("rofix -w %s changed nothing\n%s", filepath.Base(path), out)
	}
	return string(after), nil
}

// sides runs a shell fixture as written, checks the original side, hardens
// a copy with rofix and runs it: the two results, or a fatal error.
func (h *harness) sides(t *testing.T, env []string, script string, checks []check) (orig, hard result, hardened string) {
	t.Helper()
	root := t.TempDir()
	ow := newWorkspace(t, root, "original", "shell/"+script)
	hw := newWorkspace(t, root, "hardened", "shell/"+script)
	orig = h.runScript(t, env, ow, script)
	orig.mustComplete(t, "original")
	assertSide(t, "original", orig, checks)
	hardened, err := h.harden(t.Context(), filepath.Join(hw.dir, script))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rofix -w %s:\n%s", script, hardened)
	hard = h.runScript(t, env, hw, script)
	return orig, hard, hardened
}

// runScript runs a shell fixture (one container) with CONF and DATA
// pointing into its workspace.
func (h *harness) runScript(t *testing.T, env []string, w workspace, script string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), containerTimeout)
	defer cancel()
	// Through the interpreter its shebang names, not by exec'ing the file:
	// a parallel test forking while this one wrote the file would make
	// exec fail with "text file busy" (golang.org/issue/22315).
	path := filepath.Join(w.dir, script)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(src), "\n")
	argv, ok := strings.CutPrefix(line, "#!")
	if !ok {
		t.Fatalf("%s: no shebang", script)
	}
	args := append(strings.Fields(argv), path)
	cmd := h.command(ctx, args[0], args[1:]...)
	cmd.Dir = w.dir
	cmd.Env = append(slices.Clip(env), "CONF="+w.conf, "DATA="+w.data)
	h.started.Add(1)
	out, err := cmd.CombinedOutput()
	return parse(string(out), err)
}

// composeProject is one copy of a compose fixture under a unique project
// name; it is taken down when the test ends.
type composeProject struct {
	h    *harness
	ep   *endpoint
	name string
	file string
}

// newProject returns the project for the compose file in w and registers
// its teardown.
func (h *harness) newProject(t *testing.T, ep *endpoint, w workspace, file, suffix string) composeProject {
	t.Helper()
	p := composeProject{h: h, ep: ep, name: "rofixe2e" + h.id + suffix, file: filepath.Join(w.dir, file)}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if out, err := p.run(ctx, "down", "--volumes", "--remove-orphans"); err != nil {
			t.Errorf("compose down %s: %v\n%s", p.name, err, out)
		}
	})
	return p
}

// run runs a compose subcommand on the project.
func (p composeProject) run(ctx context.Context, args ...string) (string, error) {
	all := append(slices.Clip(p.h.compose[1:]), "-p", p.name, "-f", p.file)
	cmd := p.h.command(ctx, p.h.compose[0], append(all, args...)...)
	cmd.Env = p.ep.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// up starts one service in the foreground and returns what its container
// reported; the error is the container's exit status.
func (p composeProject) up(t *testing.T, service string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), containerTimeout)
	defer cancel()
	p.h.started.Add(1)
	out, err := p.run(ctx, "up", "--no-color", "--abort-on-container-exit", "--exit-code-from", service, service)
	return parse(out, err)
}
