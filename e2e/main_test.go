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
	dir        string       // temporary directory, removed at the end
	rofix      string       // the rofix binary built from this module
	rofixErr   error        // why rofix could not be built; the tests fail with it
	engine     string       // "podman" or "docker"
	engineCLI  string       // CLI used for setup and cleanup (podman or docker)
	docker     string       // the real docker CLI
	compose    []string     // docker-compose, or docker compose
	podman     string       // podman for the podman fixtures; "" when absent
	podmanSkip string       // why podman fixtures cannot run
	sock       string       // the engine's socket on the host
	id         string       // unique per run: names images, volumes, projects
	image      string       // the test image
	cacheImage string       // the test image with the /var/cache/app entrypoint
	volume     string       // a named volume the shell fixtures use
	env        []string     // environment for every command the tests run
	service    *exec.Cmd    // podman system service, stopped by its pid
	serviceEnd chan error   // receives the service's exit
	started    atomic.Int64 // containers started
}

// TestMain sets up the engine once, runs the tests, and removes everything
// it started.
func TestMain(m *testing.M) {
	begin := time.Now()
	h, err := setup()
	if err != nil {
		if h != nil {
			h.cleanup()
		}
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "e2e: FAIL: no container engine (CI=true, so this is a failure): %v\n", err)
			os.Exit(1)
		}
		skipReason = "no container engine: " + err.Error()
		fmt.Fprintf(os.Stderr, "e2e: SKIP: %s\n", skipReason)
		os.Exit(m.Run())
	}
	suite = h
	code := m.Run()
	fmt.Printf("e2e: %s engine: started %d containers in %s (setup included)\n",
		h.engine, h.started.Load(), time.Since(begin).Round(100*time.Millisecond))
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
// engine. On error the returned harness, if any, holds what must be cleaned.
func setup() (*harness, error) {
	h := &harness{engine: os.Getenv("ROFIX_E2E_ENGINE")}
	if h.engine == "" {
		h.engine = "podman"
	}
	if h.engine != "podman" && h.engine != "docker" {
		return nil, fmt.Errorf("ROFIX_E2E_ENGINE=%q: want podman or docker", h.engine)
	}
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
	if h.engine == "podman" {
		h.podman = look("podman")
		if os.Geteuid() != 0 {
			return nil, errors.New("the podman engine needs root (run as root, or set ROFIX_E2E_ENGINE=docker to use a Docker daemon)")
		}
	} else if p, err := exec.LookPath("podman"); err == nil && os.Geteuid() == 0 {
		h.podman = p
	} else {
		h.podmanSkip = "podman fixtures need podman and root"
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing %s (Debian: apt-get install podman runc docker-compose busybox-static gcc; the docker CLI too)", strings.Join(missing, ", "))
	}
	if out, err := exec.Command(h.docker, "--version").CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "Docker version") {
		return nil, fmt.Errorf("%s is not the docker CLI: %q", h.docker, strings.TrimSpace(string(out)))
	}

	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	h.id = hex.EncodeToString(b[:])
	h.image = "localhost/rofix-e2e-" + h.id + ":latest"
	h.cacheImage = "localhost/rofix-e2e-cache-" + h.id + ":latest"
	h.volume = "rofix-e2e-" + h.id + "-data"
	dir, err := os.MkdirTemp("", "rofix-e2e-")
	if err != nil {
		return nil, err
	}
	h.dir = dir
	h.engineCLI = h.docker
	if h.engine == "podman" {
		h.engineCLI = h.podman
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
	h.env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	if h.podman != "" {
		conf, err := filepath.Abs(filepath.Join("testdata", "containers.conf"))
		if err != nil {
			return h, err
		}
		h.env = append(h.env, "CONTAINERS_CONF="+conf)
	}
	if h.engine == "podman" {
		h.sock = filepath.Join(dir, "podman.sock")
		h.env = append(h.env, "DOCKER_HOST=unix://"+h.sock)
	} else {
		h.sock = "/var/run/docker.sock"
		if host, ok := strings.CutPrefix(os.Getenv("DOCKER_HOST"), "unix://"); ok {
			h.sock = host
		}
	}
	h.env = append(h.env,
		"E2E_RUN="+h.id,
		"E2E_IMAGE="+h.image,
		"E2E_CACHE_IMAGE="+h.cacheImage,
		"E2E_VOLUME="+h.volume,
		"E2E_SOCK="+h.sock,
	)

	// A rofix that does not build fails the tests (it is not a reason to
	// skip them); the engine still starts so the original side runs.
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

	if h.engine == "podman" {
		if err := h.startService(); err != nil {
			return h, err
		}
	} else if out, err := h.output(context.Background(), h.docker, "version", "--format", "{{.Server.Version}}"); err != nil {
		return h, fmt.Errorf("no Docker daemon answers the docker CLI (DOCKER_HOST=%q): %v\n%s", os.Getenv("DOCKER_HOST"), err, out)
	}
	// Import through the engine the docker CLI uses, and into podman's own
	// storage when podman fixtures run against another engine.
	importers := []string{h.docker}
	if h.engine == "docker" && h.podman != "" {
		importers = append(importers, h.podman)
	}
	for _, cli := range importers {
		for _, img := range []struct{ name, entrypoint, cmd string }{
			{h.image, "", `CMD ["e2e-check"]`},
			{h.cacheImage, `ENTRYPOINT ["/bin/cache-entrypoint"]`, `CMD ["e2e-check"]`},
		} {
			args := []string{"import", "--change", img.cmd}
			if img.entrypoint != "" {
				args = append(args, "--change", img.entrypoint)
			}
			args = append(args, rootfs, img.name)
			if out, err := h.output(context.Background(), cli, args...); err != nil {
				return h, fmt.Errorf("%s import %s: %v\n%s", filepath.Base(cli), img.name, err, out)
			}
		}
	}
	return h, nil
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

// startService starts podman's Docker-compatible API service on a socket in
// the temporary directory and waits until the docker CLI gets an answer.
func (h *harness) startService() error {
	logPath := filepath.Join(h.dir, "podman-service.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := h.command(context.Background(), h.podman, "system", "service", "--time=0", "unix://"+h.sock)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Should the test binary die without cleaning up, the kernel stops the
	// service: the signal is tied to this thread, which stays locked to
	// TestMain's goroutine for the rest of the run.
	runtime.LockOSThread()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("podman system service: %v", err)
	}
	h.service = cmd
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			h.service = nil
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("podman system service exited: %v\n%s", err, tail(string(log), 2000))
		case <-time.After(200 * time.Millisecond):
		}
		if c, err := net.Dial("unix", h.sock); err == nil {
			c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			out, err := h.output(ctx, h.docker, "version", "--format", "{{.Server.Version}}")
			cancel()
			if err == nil {
				h.serviceEnd = exited
				return nil
			}
			last = out
		}
	}
	log, _ := os.ReadFile(logPath)
	return fmt.Errorf("podman system service did not answer on %s within 30s: %s\n%s", h.sock, last, tail(string(log), 2000))
}
