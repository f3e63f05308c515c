package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tryTimeout bounds one rofix try (it bounds itself with --timeout).
const tryTimeout = 10 * time.Minute

// tryReport is the part of rofix try's JSON report the tests read.
type tryReport struct {
	Engine, Compose string
	Rounds          int
	Services        []tryService
	Written         []string
}

type tryService struct {
	Name, Status, State, Reason string
	Original                    string   `json:"original_state"`
	ReadOnly                    bool     `json:"read_only"`
	NoNewPrivs                  bool     `json:"no_new_privileges"`
	Tmpfs                       []string `json:"tmpfs"`
	Repairs                     []string
}

// service returns the report of a service, or fails the test.
func (r tryReport) service(t *testing.T, name string) tryService {
	t.Helper()
	for _, s := range r.Services {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no service %s in the report: %+v", name, r.Services)
	return tryService{}
}

// tryRun is one rofix try: its exit status, report and output.
type tryRun struct {
	code           int
	report         tryReport
	stdout, stderr string
}

// tryEnv is the environment rofix try runs in with compose c: the
// endpoint's, compose named explicitly for docker-compose 1 (the docker
// compose plugin is what rofix finds by itself, through c's
// DOCKER_CONFIG), and TMPDIR in the test's own directory, so that the
// test sees what is left of the scratch copies.
func tryEnv(c composeImpl, tmp string) []string {
	env := append(slices.Clip(c.env), "TMPDIR="+tmp)
	if c.name != "compose-v5" {
		env = append(env, "ROFIX_COMPOSE="+strings.Join(c.argv, " "))
	}
	return env
}

// startTry starts rofix try in dir with a JSON report.
func (h *harness) startTry(ctx context.Context, dir string, env []string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	all := append([]string{"try", "--format", "json", "--timeout", "8m"}, args...)
	cmd := exec.CommandContext(ctx, h.rofix, all...)
	cmd.Dir, cmd.Env = dir, env
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// try runs rofix try in dir and returns what it did.
func (h *harness) try(t *testing.T, dir string, env []string, args ...string) tryRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), tryTimeout)
	defer cancel()
	cmd, stdout, stderr := h.startTry(ctx, dir, env, args...)
	err := cmd.Run()
	return finishTry(t, err, stdout, stderr)
}

// finishTry reads the outcome of a rofix try that ended with err.
func finishTry(t *testing.T, err error, stdout, stderr *bytes.Buffer) tryRun {
	t.Helper()
	r := tryRun{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("rofix try: %v\n%s", err, r.stderr)
	}
	if strings.TrimSpace(r.stdout) != "" {
		if err := json.Unmarshal(stdout.Bytes(), &r.report); err != nil {
			t.Fatalf("rofix try --format json: %v\n%s", err, r.stdout)
		}
	}
	t.Logf("rofix try: exit %d\n%s%s", r.code, r.stderr, r.stdout)
	return r
}

// tryLeftovers fails the test when a container, network or volume of a
// trial is left on the endpoint, or a scratch copy in tmp. Trials name
// their projects rofixtry..., and compose names everything after them;
// the trials on one engine run one at a time.
func (h *harness) tryLeftovers(t *testing.T, ep *endpoint, tmp string) {
	t.Helper()
	for _, ls := range [][]string{
		{"ps", "-a", "--format", "{{.Names}}"},
		{"network", "ls", "--format", "{{.Name}}"},
		{"volume", "ls", "--format", "{{.Name}}"},
	} {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		cmd := h.command(ctx, h.docker, ls...)
		cmd.Env = ep.env
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(ls, " "), err, out)
		}
		for _, name := range strings.Fields(string(out)) {
			if strings.HasPrefix(name, "rofixtry") {
				t.Errorf("left on %s after rofix try: %s %s", ep.name, ls[0], name)
			}
		}
	}
	entries, err := os.ReadDir(tmp)
	must(t, err)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "rofix-try-") {
			t.Errorf("scratch copy left: %s", filepath.Join(tmp, e.Name()))
		}
	}
}

// treeSum returns each file's mode and content hash under dir, by path.
func treeSum(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		sum := info.Mode().String()
		if info.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum += fmt.Sprintf(" %x", sha256.Sum256(b))
		}
		sums[p] = sum
		return nil
	})
	must(t, err)
	return sums
}

// sameTree fails the test where the tree differs from before.
func sameTree(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for p, s := range before {
		if after[p] != s {
			t.Errorf("%s: %s changed (%q, was %q)", what, p, after[p], s)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s: %s appeared", what, p)
		}
	}
}

// TestTryRealServers proves rofix try on the six real servers as one
// compose project, with no .rofix.yaml beforehand, on each engine and with
// each compose (docker-compose 1 and Docker Compose v5): one "rofix try
// -w" reports all six proven (read-only, no-new-privileges), leaves nothing
// on the engine, and the project it wrote, brought up by the test itself,
// answers every probe with a read-only root and NoNewPrivs 1 and writes its
// data volumes. A second "rofix try -w" changes no file.
func TestTryRealServers(t *testing.T) {
	h := needRealapps(t)
	for _, ep := range h.endpoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel() // the engines are independent
			tag := "try-" + h.id
			h.importRealapps(t, ep, tag)
			for i, c := range h.composeImpls(t, ep) {
				t.Run(c.name, func(t *testing.T) { h.tryRealServers(t, ep, c, tag, i == 0) })
			}
		})
	}
}

func (h *harness) tryRealServers(t *testing.T, ep *endpoint, c composeImpl, tag string, again bool) {
	dir, tmp := t.TempDir(), t.TempDir()
	file := writeRealappsCompose(t, dir, tag)
	env := tryEnv(c, tmp)
	h.started.Add(int64(2 * len(realApps)))
	r := h.try(t, dir, env, "-w", "--settle", "5s")
	if r.code != 0 {
		t.Fatalf("rofix try -w: exit %d", r.code)
	}
	for _, app := range realApps {
		s := r.report.service(t, app.name)
		if s.Status != "proven" || !s.ReadOnly || !s.NoNewPrivs {
			t.Errorf("%s: %s (read-only %v, no-new-privileges %v), want proven read-only with no-new-privileges: %s", app.name, s.Status, s.ReadOnly, s.NoNewPrivs, s.Reason)
		}
	}
	h.tryLeftovers(t, ep, tmp)
	config, hardened := readWritten(t, dir)

	// The project as written, brought up by the test.
	p := h.newProject(t, ep, workspace{dir: dir}, "compose.yaml", "try"+strings.ReplaceAll(c.name, "-", ""))
	if err := p.upDetached(t.Context()); err != nil {
		t.Fatal(err)
	}
	p.checkHardened(t, "written by rofix try -w")
	if !again || t.Failed() {
		return
	}
	h.started.Add(int64(2 * len(realApps)))
	if r := h.try(t, dir, env, "-w", "--settle", "3s"); r.code != 0 || len(r.report.Written) > 0 {
		t.Errorf("a second rofix try -w: exit %d, wrote %v; want 0 and nothing", r.code, r.report.Written)
	}
	if now, _ := os.ReadFile(file); !bytes.Equal(now, hardened) {
		t.Errorf("a second rofix try -w changed compose.yaml:\n%s", now)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, ".rofix.yaml")); !bytes.Equal(now, config) {
		t.Errorf("a second rofix try -w changed .rofix.yaml:\n%s", now)
	}
	h.tryLeftovers(t, ep, tmp)
}

// readWritten returns the .rofix.yaml and compose.yaml that rofix try -w
// wrote in dir, or fails the test.
func readWritten(t *testing.T, dir string) (config, compose []byte) {
	t.Helper()
	config, err := os.ReadFile(filepath.Join(dir, ".rofix.yaml"))
	if err != nil {
		t.Fatalf("rofix try -w wrote no .rofix.yaml: %v", err)
	}
	compose, err = os.ReadFile(filepath.Join(dir, "compose.yaml"))
	must(t, err)
	t.Logf(".rofix.yaml:\n%s\ncompose.yaml:\n%s", config, compose)
	return config, compose
}

// scenarioCompose is a project of the suite's image whose services the
// trial must judge each by its own state: writer creates a cache directory
// and writes its bind-mounted data directory and a named volume;
// configurer, of the same image, writes its config into /etc, where the
// image ships passwd and group; job exits 0; checked has a healthcheck
// (one word per argument: podman 4.3's Docker API splits an argument that
// holds blanks, so "sh -c 'test -f x'" never passes there). IMAGE is
// replaced by the suite's image.
const scenarioCompose = `services:
  writer:
    image: IMAGE
    network_mode: none
    command: ["sh", "-c", "mkdir -p /var/cache/writer && echo x > /var/cache/writer/f && echo out > /data/out && echo s > /state/s && exec sleep 600"]
    volumes:
      - ./data:/data
      - state:/state
  configurer:
    image: IMAGE
    network_mode: none
    command: ["sh", "-c", "echo generated > /etc/rofix-generated.conf && exec sleep 600"]
  job:
    image: IMAGE
    network_mode: none
    command: ["sh", "-c", "echo done"]
  checked:
    image: IMAGE
    network_mode: none
    command: ["sh", "-c", "touch /tmp/ready && exec sleep 600"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 30
volumes:
  state:
`

// needRofix returns the harness, failing the test when rofix did not
// build.
func needRofix(t *testing.T) *harness {
	t.Helper()
	h := need(t)
	if h.rofixErr != nil {
		t.Fatal(h.rofixErr)
	}
	return h
}

// onEachEngine runs f in a parallel subtest per endpoint, with a new
// scenario project in dir, a TMPDIR for rofix in tmp, and the compose to
// run it with (v5 where available).
func (h *harness) onEachEngine(t *testing.T, f func(t *testing.T, h *harness, ep *endpoint, c composeImpl, dir, tmp string)) {
	for _, ep := range h.endpoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel() // the engines are independent
			f(t, h, ep, h.lastCompose(t, ep), h.newScenario(t), t.TempDir())
		})
	}
}

// newScenario writes the scenario project into a new directory.
func (h *harness) newScenario(t *testing.T) string {
	dir := t.TempDir()
	must(t, os.Mkdir(filepath.Join(dir, "data"), 0o777))
	must(t, os.Chmod(filepath.Join(dir, "data"), 0o777))
	must(t, os.WriteFile(filepath.Join(dir, "data", "keep"), []byte("the user's file\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(strings.ReplaceAll(scenarioCompose, "IMAGE", h.image)), 0o644))
	return dir
}

// lastCompose returns the compose to run scenarios with: v5 where it is
// available, else the suite's.
func (h *harness) lastCompose(t *testing.T, ep *endpoint) composeImpl {
	impls := h.composeImpls(t, ep)
	return impls[len(impls)-1]
}

// TestTryScenarios runs rofix try on the scenario project on each engine.
// Without -w: every service is judged by its own state (the job by its
// exit 0, the healthchecked one by its health), the two services of one
// image learn separately (writer gets a tmpfs on the directory it
// creates; configurer, which writes into /etc where the image ships files,
// is withheld and gets no tmpfs there), no file of the project changes,
// the bind-mounted directory the app writes included, and nothing is left
// on the engine. With -w: .rofix.yaml holds an entry per service, and the
// project as written, brought up by the test, still shows configurer the
// image's own /etc/passwd.
func TestTryScenarios(t *testing.T) {
	needRofix(t).onEachEngine(t, func(t *testing.T, h *harness, ep *endpoint, c composeImpl, dir, tmp string) {
		env := tryEnv(c, tmp)
		before := treeSum(t, dir)
		h.started.Add(8)
		r := h.try(t, dir, env, "--settle", "3s")
		if r.code != 0 {
			t.Fatalf("rofix try: exit %d", r.code)
		}
		sameTree(t, "rofix try without -w", before, treeSum(t, dir))
		h.tryLeftovers(t, ep, tmp)
		want := map[string]struct{ status, state string }{
			"writer":     {"proven", "running"},
			"configurer": {"withheld", "running"},
			"job":        {"proven", "exited 0"},
			"checked":    {"proven", "healthy"},
		}
		for name, w := range want {
			s := r.report.service(t, name)
			if s.Status != w.status || s.State != w.state || s.Original != w.state {
				t.Errorf("%s: %s, %s (originally %s); want %s, %s", name, s.Status, s.State, s.Original, w.status, w.state)
			}
		}
		if s := r.report.service(t, "writer"); !slices.Contains(s.Tmpfs, "/var/cache/writer") {
			t.Errorf("writer's tmpfs %v lack /var/cache/writer", s.Tmpfs)
		}
		if s := r.report.service(t, "configurer"); slices.Contains(s.Tmpfs, "/etc") || !strings.Contains(s.Reason, "/etc") {
			t.Errorf("configurer: tmpfs %v, reason %q; want no tmpfs on /etc and a reason naming it", s.Tmpfs, s.Reason)
		}

		// -w writes; the test brings the result up itself.
		h.started.Add(8)
		if r := h.try(t, dir, env, "-w", "--settle", "3s"); r.code != 0 {
			t.Fatalf("rofix try -w: exit %d", r.code)
		}
		config, err := os.ReadFile(filepath.Join(dir, ".rofix.yaml"))
		must(t, err)
		t.Logf(".rofix.yaml:\n%s", config)
		for _, want := range []string{"  writer:\n", "/var/cache/writer", "  configurer:\n", "no_tmpfs: [/etc]", "verdict: no"} {
			if !strings.Contains(string(config), want) {
				t.Errorf(".rofix.yaml lacks %q", want)
			}
		}
		p := h.newProject(t, ep, workspace{dir: dir}, "compose.yaml", "tryscen")
		ctx, cancel := context.WithTimeout(t.Context(), containerTimeout)
		defer cancel()
		h.started.Add(4)
		if out, err := p.run(ctx, "up", "-d", "--no-color"); err != nil {
			t.Fatalf("compose up: %v\n%s", err, out)
		}
		configurer := p.container("configurer")
		var out string
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(300 * time.Millisecond) {
			if out, err = p.exec(t, configurer, "", "cat", "/etc/passwd", "/etc/rofix-generated.conf"); err == nil || time.Now().After(deadline) {
				break
			}
		}
		if err != nil || !strings.Contains(out, "root:x:0:0") || !strings.Contains(out, "generated") {
			t.Errorf("configurer, as written: the image's /etc/passwd and its own config: %v\n%s", err, out)
		}
		if out, err := p.exec(t, p.container("writer"), "", "touch", "/rofix-e2e-root"); err == nil || !strings.Contains(out, "Read-only file system") {
			t.Errorf("writer, as written: the root is not read-only (%v): %s", err, out)
		}
	})
}

// TestTryInterrupt sends SIGINT to rofix try while the original project is
// up, on each engine: rofix exits 2 saying it was interrupted, and leaves
// no container, network, volume or scratch copy, and no file of the
// project changed. After a SIGKILL, which no program can catch, the next
// rofix try removes what the killed one left.
func TestTryInterrupt(t *testing.T) {
	needRofix(t).onEachEngine(t, func(t *testing.T, h *harness, ep *endpoint, c composeImpl, dir, tmp string) {
		before := treeSum(t, dir)
		ctx, cancel := context.WithTimeout(t.Context(), tryTimeout)
		defer cancel()
		cmd, stdout, stderr := h.startTry(ctx, dir, tryEnv(c, tmp), "--settle", "30s")
		h.started.Add(4)
		must(t, cmd.Start())
		h.waitTrialContainers(t, ctx, ep, cmd, stderr)
		must(t, cmd.Process.Signal(syscall.SIGINT))
		r := finishTry(t, cmd.Wait(), stdout, stderr)
		if r.code != 2 || !strings.Contains(r.stderr, "interrupted") {
			t.Errorf("after SIGINT: exit %d, stderr %q; want 2 and \"interrupted\"", r.code, r.stderr)
		}
		h.tryLeftovers(t, ep, tmp)
		sameTree(t, "rofix try interrupted", before, treeSum(t, dir))

		// SIGKILL cannot be caught: the trial's containers stay, and the
		// next rofix try removes them first (its own project here fails
		// at once: its image does not exist).
		cmd, stdout, stderr = h.startTry(ctx, dir, tryEnv(c, tmp), "--settle", "30s")
		must(t, cmd.Start())
		h.waitTrialContainers(t, ctx, ep, cmd, stderr)
		must(t, cmd.Process.Kill())
		cmd.Wait()
		other := t.TempDir()
		must(t, os.WriteFile(filepath.Join(other, "compose.yaml"), []byte("services:\n  none:\n    image: localhost/rofix-e2e-none:absent\n    network_mode: none\n"), 0o644))
		r = h.try(t, other, tryEnv(c, tmp))
		if r.code != 2 || !strings.Contains(r.stderr, "left on the engine by a trial that was killed") {
			t.Errorf("the rofix try after a SIGKILL: exit %d, stderr %q; want 2 and the killed trial's project removed", r.code, r.stderr)
		}
		h.tryLeftovers(t, ep, tmp)
	})
}

// waitTrialContainers waits until a trial's containers run, or fails the
// test (killing the trial).
func (h *harness) waitTrialContainers(t *testing.T, ctx context.Context, ep *endpoint, cmd *exec.Cmd, stderr *bytes.Buffer) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		ls := h.command(ctx, h.docker, "ps", "--format", "{{.Names}}")
		ls.Env = ep.env
		out, _ := ls.Output()
		if strings.Count(string(out), "rofixtry") >= 3 {
			return
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the trial's containers did not start: %s", stderr)
		}
	}
}
