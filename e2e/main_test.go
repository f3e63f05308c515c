package e2e

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// suite is the engine TestMain set up, or nil when it could not; skipReason
// then says why. Both are written only by TestMain, before any test runs.
var (
	suite      *harness
	skipReason string
)

// harness is everything the tests need to run containers.
type harness struct {
	dir        string      // temporary directory, removed at the end
	rofix      string      // the rofix binary built from this module
	rofixErr   error       // why rofix could not be built; the tests fail with it
	docker     string      // the real docker CLI
	compose    []string    // docker-compose, or docker compose
	podman     string      // podman, for the podman fixtures; "" when they cannot run
	podmanSkip string      // why the podman fixtures cannot run
	endpoints  []*endpoint // the daemons the docker CLI and compose run on
	id         string      // unique per run: names images, volumes, projects
	image      string      // the test image
	cacheImage string      // the test image with the /var/cache/app entrypoint
	volume     string      // a named volume the shell fixtures use
	env        []string    // environment for every command the tests run
	daemons    []*daemon   // processes the suite started, stopped by pid
	started    atomic.Int64
}

// endpoint is a daemon with a Docker API: podman's service, a dockerd the
// suite starts, or the docker CLI's own daemon.
type endpoint struct {
	name string   // "podman", "dockerd" or "docker"
	sock string   // its socket on the host, for the socket bind fixtures
	env  []string // the harness environment plus DOCKER_HOST and E2E_SOCK
	// podmanAPI is true when podman serves the API (also behind a docker
	// endpoint): it mounts tmpfs on /tmp, /var/tmp and /run for every
	// read-only container, and `docker run --rm` loses the container's exit
	// status (podman 4.3 answers 0), so Docker's semantics cannot be seen.
	podmanAPI bool
}

// daemon is a long-running process the suite started.
type daemon struct {
	name string
	cmd  *exec.Cmd
	done chan error // receives its exit
	log  string     // its output
}

// TestMain sets up the engines once, runs the tests, and removes everything
// it started.
func TestMain(m *testing.M) {
	begin := time.Now()
	h, err := setup()
	if err != nil {
		if h != nil {
			if cerr := h.cleanup(); cerr != nil {
				fmt.Fprintf(os.Stderr, "e2e: cleanup: %v\n", cerr)
			}
		}
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "e2e: FAIL: no container engine (CI=true, so this is a failure, not a skip): %v\n", err)
			os.Exit(1)
		}
		skipReason = "no container engine: " + err.Error()
		fmt.Fprintf(os.Stderr, "e2e: SKIP: %s\n", skipReason)
		os.Exit(m.Run())
	}
	suite = h
	var names []string
	for _, ep := range h.endpoints {
		names = append(names, ep.name)
	}
	if h.podman != "" {
		names = append(names, "podman CLI")
	}
	fmt.Printf("e2e: engines: %s; setup took %s\n", strings.Join(names, ", "), time.Since(begin).Round(100*time.Millisecond))
	code := m.Run()
	fmt.Printf("e2e: started %d containers in %s (setup included)\n",
		h.started.Load(), time.Since(begin).Round(100*time.Millisecond))
	if err := h.cleanup(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: cleanup: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// need returns the harness, or skips the test when there is none.
func need(t *testing.T) *harness {
	t.Helper()
	if suite == nil {
		t.Skip(skipReason)
	}
	return suite
}

// setup checks the prerequisites, builds rofix and the image and starts the
// engines. On error the returned harness, if any, holds what must be cleaned.
//
// ROFIX_E2E_ENGINE lists the engines, comma-separated: podman (podman's
// service on a private socket, and podman itself for the podman fixtures),
// dockerd (a private Docker daemon) and docker (the daemon the docker CLI
// finds through DOCKER_HOST or its context). Unset, it means podman plus
// dockerd when that is installed; a listed engine that cannot start is an
// error, the implied dockerd only a notice.
func setup() (*harness, error) {
	spec := os.Getenv("ROFIX_E2E_ENGINE")
	engines := strings.Split(spec, ",")
	optionalDockerd := false
	if spec == "" {
		engines = []string{"podman"}
		if lookDockerd() != "" && os.Geteuid() == 0 {
			engines, optionalDockerd = append(engines, "dockerd"), true
		} else {
			fmt.Fprintln(os.Stderr, "e2e: NOTE: no dockerd (Debian: docker.io) or not root: the Docker tests run on podman's Docker API only")
		}
	}
	for _, e := range engines {
		if e != "podman" && e != "dockerd" && e != "docker" {
			return nil, fmt.Errorf("ROFIX_E2E_ENGINE=%q: want a comma-separated list of podman, dockerd, docker", spec)
		}
	}
	wantPodman := slices.Contains(engines, "podman")
	if (wantPodman || slices.Contains(engines, "dockerd")) && os.Geteuid() != 0 {
		return nil, fmt.Errorf("starting podman or dockerd needs root (engines: %s; run as root, or set ROFIX_E2E_ENGINE=docker to use your Docker daemon)", strings.Join(engines, ","))
	}

	h := &harness{}
	var missing []string
	look := func(name string) string {
		p, err := exec.LookPath(name)
		if err != nil {
			missing = append(missing, name)
		}
		return p
	}
	gobin := look("go")
	gcc := look("gcc")
	h.docker = os.Getenv("ROFIX_E2E_DOCKER")
	if h.docker == "" {
		h.docker = look("docker")
	}
	if c := os.Getenv("ROFIX_E2E_COMPOSE"); c != "" {
		h.compose = strings.Fields(c)
	} else if p, err := exec.LookPath("docker-compose"); err == nil {
		h.compose = []string{p}
	} else if h.docker != "" && exec.Command(h.docker, "compose", "version").Run() == nil {
		h.compose = []string{h.docker, "compose"}
	} else {
		missing = append(missing, "docker-compose")
	}
	busybox, bbErr := staticBusybox()
	if bbErr != nil {
		missing = append(missing, "busybox-static")
	}
	if wantPodman {
		h.podman = look("podman")
	} else if p, err := exec.LookPath("podman"); err == nil && os.Geteuid() == 0 {
		h.podman = p
	} else {
		h.podmanSkip = "the podman fixtures need podman and root"
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing %s (Debian: apt-get install podman runc docker-compose busybox-static gcc, and the docker CLI)", strings.Join(missing, ", "))
	}
	if out, err := exec.Command(h.docker, "--version").CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "Docker version") {
		return nil, fmt.Errorf("%s is not the docker CLI: %q", h.docker, strings.TrimSpace(string(out)))
	}

	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	h.id = hex.EncodeToString(b[:])
	h.image, h.cacheImage = imageNames(h.id)
	h.volume = "rofix-e2e-" + h.id + "-data"
	// The directory's name carries the run id and its pid file says the run
	// is alive, for the sweep of a later run should this one be killed.
	dir := filepath.Join(os.TempDir(), "rofix-e2e-"+h.id)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, err
	}
	h.dir = dir
	if err := os.WriteFile(filepath.Join(dir, "pid"), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		return h, err
	}

	// The fixtures call "docker": make that the real docker CLI whatever
	// else is on PATH.
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		return h, err
	}
	if err := os.Symlink(h.docker, filepath.Join(bin, "docker")); err != nil {
		return h, err
	}
	h.env = append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"E2E_RUN="+h.id,
		"E2E_IMAGE="+h.image,
		"E2E_CACHE_IMAGE="+h.cacheImage,
		"E2E_VOLUME="+h.volume,
	)
	if h.podman != "" {
		conf, err := filepath.Abs(filepath.Join("testdata", "containers.conf"))
		if err != nil {
			return h, err
		}
		h.env = append(h.env, "CONTAINERS_CONF="+conf)
	}

	// A rofix that does not build fails the tests (it is not a reason to
	// skip them); the engines still start so the original side runs.
	h.rofix = os.Getenv("ROFIX_E2E_ROFIX")
	if h.rofix == "" {
		h.rofix = filepath.Join(dir, "rofix")
		if out, err := h.command(context.Background(), gobin, "build", "-o", h.rofix, "github.com/rofix/rofix/cmd/rofix").CombinedOutput(); err != nil {
			h.rofixErr = fmt.Errorf("building rofix: %v\n%s", err, out)
		}
	}
	probe := filepath.Join(dir, "probe")
	if out, err := exec.Command(gcc, "-static", "-O2", "-o", probe, filepath.Join("testdata", "image", "probe.c")).CombinedOutput(); err != nil {
		return h, fmt.Errorf("gcc -static probe.c (Debian: apt-get install gcc; static glibc comes with libc6-dev): %v\n%s", err, out)
	}
	rootfs := filepath.Join(dir, "rootfs.tar")
	if err := writeRootfs(rootfs, busybox, probe); err != nil {
		return h, fmt.Errorf("image root filesystem: %v", err)
	}
	// Leftovers of killed runs, in podman's storage and in the user's
	// daemon (a private dockerd's state was in its run's directory).
	var sweep []string
	if h.podman != "" {
		sweep = append(sweep, h.podman)
	}
	if slices.Contains(engines, "docker") {
		sweep = append(sweep, h.docker)
	}
	h.sweep(sweep)
	if h.podman != "" {
		if err := h.importImages(h.podman, h.env, rootfs); err != nil {
			return h, err
		}
	}

	for _, name := range engines {
		ep, err := h.startEndpoint(name)
		if err == nil && name != "podman" {
			// podman's service shares podman's storage: imported above.
			err = h.importImages(h.docker, ep.env, rootfs)
		}
		if err != nil {
			if name == "dockerd" && optionalDockerd {
				fmt.Fprintf(os.Stderr, "e2e: NOTE: no private dockerd, the Docker tests run on podman only: %v\n", err)
				continue
			}
			return h, err
		}
		h.endpoints = append(h.endpoints, ep)
	}
	return h, nil
}

// importImages imports the root filesystem as the two test images.
func (h *harness) importImages(cli string, env []string, rootfs string) error {
	for _, img := range []struct{ name, entrypoint string }{
		{h.image, ""},
		{h.cacheImage, `ENTRYPOINT ["/bin/cache-entrypoint"]`},
	} {
		args := []string{"import", "--change", `CMD ["e2e-check"]`}
		if img.entrypoint != "" {
			args = append(args, "--change", img.entrypoint)
		}
		args = append(args, rootfs, img.name)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := h.command(ctx, cli, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			return fmt.Errorf("%s import %s: %v\n%s", filepath.Base(cli), img.name, err, out)
		}
	}
	return nil
}

// startEndpoint starts (for podman and dockerd) or finds (for docker) the
// named engine's Docker API and waits until the docker CLI gets an answer.
func (h *harness) startEndpoint(name string) (*endpoint, error) {
	ep := &endpoint{name: name, podmanAPI: name == "podman"}
	var d *daemon
	var err error
	switch name {
	case "podman":
		ep.sock = filepath.Join(h.dir, "podman.sock")
		d, err = h.startDaemon("podman system service", h.podman,
			"system", "service", "--time=0", "unix://"+ep.sock)
	case "dockerd":
		// Everything in the temporary directory: socket, configuration,
		// state, and the containerd it manages, in its own namespace.
		// (dockerd 20.10 still creates its trust key, /etc/docker/key.json,
		// once; no flag moves it.)
		root := filepath.Join(h.dir, "dockerd")
		if err := os.MkdirAll(root, 0o700); err != nil {
			return nil, err
		}
		conf := filepath.Join(root, "daemon.json")
		if err := os.WriteFile(conf, []byte("{}\n"), 0o600); err != nil {
			return nil, err
		}
		dockerd := lookDockerd()
		if dockerd == "" {
			return nil, errors.New("dockerd is not installed (Debian: docker.io)")
		}
		ep.sock = filepath.Join(h.dir, "dockerd.sock")
		d, err = h.startDaemon("dockerd", dockerd,
			"--host", "unix://"+ep.sock,
			"--config-file", conf,
			"--data-root", filepath.Join(root, "data"),
			"--exec-root", filepath.Join(root, "exec"),
			"--pidfile", filepath.Join(root, "dockerd.pid"),
			"--containerd-namespace", "rofix-e2e-"+h.id,
			"--containerd-plugins-namespace", "rofix-e2e-"+h.id+"-plugins",
			"--iptables=false", "--ip6tables=false", "--bridge=none")
	case "docker":
		ep.sock = "/var/run/docker.sock"
		if s, ok := strings.CutPrefix(os.Getenv("DOCKER_HOST"), "unix://"); ok {
			ep.sock = s
		}
	}
	if err != nil {
		return nil, err
	}
	ep.env = append(slices.Clip(h.env), "E2E_SOCK="+ep.sock)
	if name != "docker" {
		ep.env = append(ep.env, "DOCKER_HOST=unix://"+ep.sock)
	}

	deadline := time.Now().Add(30 * time.Second)
	var last string
	for {
		if d != nil {
			select {
			case err := <-d.done:
				d.done <- err
				log, _ := os.ReadFile(d.log)
				return nil, fmt.Errorf("%s exited: %v\n%s", d.name, err, tail(string(log), 2000))
			case <-time.After(200 * time.Millisecond):
			}
		}
		if c, err := net.Dial("unix", ep.sock); err == nil {
			c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			cmd := h.command(ctx, h.docker, "version", "--format", "{{range .Server.Components}}{{.Name}};{{end}}")
			cmd.Env = ep.env
			out, err := cmd.CombinedOutput()
			cancel()
			if err == nil {
				if strings.Contains(string(out), "Podman") {
					ep.podmanAPI = true
				}
				return ep, nil
			}
			last = string(out)
		} else {
			last = err.Error()
		}
		if d == nil || time.Now().After(deadline) {
			break
		}
	}
	if d == nil {
		return nil, fmt.Errorf("no Docker daemon answers on %s (DOCKER_HOST=%q): %s", ep.sock, os.Getenv("DOCKER_HOST"), last)
	}
	log, _ := os.ReadFile(d.log)
	return nil, fmt.Errorf("%s did not answer on %s within 30s: %s\n%s", d.name, ep.sock, last, tail(string(log), 2000))
}

// lookDockerd finds dockerd on PATH or in /usr/sbin, where Debian puts it
// (not on every user's PATH); "" when there is none.
func lookDockerd() string {
	if p, err := exec.LookPath("dockerd"); err == nil {
		return p
	}
	if p, err := exec.LookPath("/usr/sbin/dockerd"); err == nil {
		return p
	}
	return ""
}

// startDaemon starts a long-running process with its output in a log file
// and registers it for cleanup.
func (h *harness) startDaemon(name, path string, args ...string) (*daemon, error) {
	d := &daemon{name: name, done: make(chan error, 1), log: filepath.Join(h.dir, strings.ReplaceAll(name, " ", "-")+".log")}
	logf, err := os.Create(d.log)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	d.cmd = h.command(context.Background(), path, args...)
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	// Should the test binary die without cleaning up, the kernel stops the
	// daemon: the signal is tied to this thread, which stays locked to
	// TestMain's goroutine for the rest of the run.
	runtime.LockOSThread()
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	h.daemons = append(h.daemons, d)
	go func() { d.done <- d.cmd.Wait() }()
	return d, nil
}

// stop stops the daemon by its pid: SIGTERM, then SIGKILL after 20s.
func (d *daemon) stop() error {
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stopping %s (pid %d): %v", d.name, d.cmd.Process.Pid, err)
	}
	select {
	case <-d.done:
	case <-time.After(20 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
		return fmt.Errorf("%s (pid %d) ignored SIGTERM for 20s and was killed", d.name, d.cmd.Process.Pid)
	}
	return nil
}

// staticBusybox finds a statically linked busybox: the image has no libc.
func staticBusybox() (string, error) {
	cands := []string{"/bin/busybox", "/usr/bin/busybox"}
	if p, err := exec.LookPath("busybox"); err == nil {
		cands = append([]string{p}, cands...)
	}
	for _, p := range cands {
		f, err := elf.Open(p)
		if err != nil {
			continue
		}
		dynamic := false
		for _, prog := range f.Progs {
			if prog.Type == elf.PT_INTERP {
				dynamic = true
			}
		}
		f.Close()
		if !dynamic {
			return p, nil
		}
	}
	return "", errors.New("no statically linked busybox")
}

// writeRootfs writes the image's root filesystem as a tar archive: busybox
// with a link per applet, the setuid-root probe, the check script and the
// cache entrypoint. Every entry is owned by root.
func writeRootfs(path, busybox, probe string) error {
	out, err := exec.Command(busybox, "--list").Output()
	if err != nil {
		return fmt.Errorf("busybox --list: %v", err)
	}
	applets := strings.Fields(string(out))
	read := func(p string) []byte {
		if err == nil {
			var b []byte
			b, err = os.ReadFile(p)
			return b
		}
		return nil
	}
	bb, pr := read(busybox), read(probe)
	check := read(filepath.Join("testdata", "image", "e2e-check"))
	entry := read(filepath.Join("testdata", "image", "cache-entrypoint"))
	if err != nil {
		return err
	}

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Now()
	hdr := func(name string, typ byte, mode int64, size int, link string) error {
		return tw.WriteHeader(&tar.Header{Name: name, Typeflag: typ, Mode: mode, Size: int64(size),
			Linkname: link, ModTime: now, Format: tar.FormatPAX})
	}
	dirs := []struct {
		name string
		mode int64
	}{
		{"./", 0o755}, {"bin/", 0o755}, {"etc/", 0o755}, {"dev/", 0o755}, {"proc/", 0o755},
		{"sys/", 0o755}, {"run/", 0o755}, {"tmp/", 0o1777}, {"scratch/", 0o1777},
		{"var/", 0o755}, {"var/tmp/", 0o1777}, {"var/cache/", 0o755}, {"var/cache/app/", 0o777},
	}
	for _, d := range dirs {
		if err := hdr(d.name, tar.TypeDir, d.mode, 0, ""); err != nil {
			return err
		}
	}
	files := []struct {
		name string
		mode int64
		data []byte
	}{
		{"bin/busybox", 0o755, bb},
		{"bin/probe", 0o4755, pr}, // setuid root
		{"bin/e2e-check", 0o755, check},
		{"bin/cache-entrypoint", 0o755, entry},
		{"etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/tmp:/bin/sh\n")},
		{"etc/group", 0o644, []byte("root:x:0:\napp:x:1000:\n")},
	}
	for _, f := range files {
		if err := hdr(f.name, tar.TypeReg, f.mode, len(f.data), ""); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	for _, a := range applets {
		if a == "busybox" || strings.ContainsAny(a, "/ ") {
			continue
		}
		if err := hdr("bin/"+a, tar.TypeSymlink, 0o777, 0, "busybox"); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
