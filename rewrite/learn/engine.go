package learn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// An Engine is a container engine's CLI: docker or podman, found on PATH,
// so that the user's own DOCKER_HOST, contexts and CONTAINER_HOST apply.
type Engine struct {
	// Name is "docker" or "podman".
	Name string
	// CLI is the program's path.
	CLI string
	// Env is the environment of the commands; nil means the process's own.
	Env []string

	podman func() bool // see Podman
}

// commandTimeout bounds one engine command.
const commandTimeout = time.Minute

// FindEngine returns the engine named name ("docker" or "podman"), or, for
// "", docker when it is on PATH and podman otherwise.
func FindEngine(name string) (*Engine, error) {
	names := []string{name}
	switch name {
	case "":
		names = []string{"docker", "podman"}
	case "docker", "podman":
	default:
		return nil, fmt.Errorf("--engine %q: want docker or podman", name)
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return NewEngine(n, p), nil
		}
	}
	return nil, fmt.Errorf("no %s on PATH", strings.Join(names, " or "))
}

// NewEngine returns the engine name ("docker" or "podman") run by the CLI
// at path.
func NewEngine(name, path string) *Engine {
	e := &Engine{Name: name, CLI: path}
	e.podman = sync.OnceValue(func() bool {
		if e.Name == "podman" {
			return true
		}
		// The docker CLI may talk to podman's Docker API (DOCKER_HOST on
		// podman's socket): podman's semantics then apply.
		out, err := e.run(context.Background(), "version", "--format", "{{range .Server.Components}}{{.Name}};{{end}}")
		return err == nil && strings.Contains(string(out), "Podman")
	})
	return e
}

// Podman reports whether the containers run on podman: the podman CLI, or
// the docker CLI on podman's Docker API.
func (e *Engine) Podman() bool { return e.podman() }

// Output runs the CLI with args (bounded by a minute) and returns its
// standard output; the error carries its standard error.
func (e *Engine) Output(ctx context.Context, args ...string) ([]byte, error) {
	return e.run(ctx, args...)
}

// run runs the CLI with args and returns its standard output.
func (e *Engine) run(ctx context.Context, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.CLI, args...)
	cmd.Env = e.Env
	out, err := CommandOutput(cmd, filepath.Base(e.CLI)+" "+strings.Join(args, " "))
	if err != nil {
		return nil, err
	}
	return out, nil
}

// maxErrorText bounds the standard error a command's error carries.
const maxErrorText = 2000

// CommandOutput runs cmd and returns its standard output. Its error says
// what ran (what) and carries the end of the command's standard error, or
// how it failed when it printed nothing there.
func CommandOutput(cmd *exec.Cmd, what string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return out, fmt.Errorf("%s: %s", what, tailText(msg, maxErrorText))
	}
	return out, nil
}

// tailText returns the last n bytes of s, from a line start.
func tailText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return "..." + s
}

// Inspect returns what learn needs of a container.
func (e *Engine) Inspect(ctx context.Context, container string) (Container, error) {
	out, err := e.run(ctx, "container", "inspect", container)
	if err != nil {
		return Container{}, err
	}
	c, err := ParseInspect(out)
	if err != nil {
		return Container{}, fmt.Errorf("%s inspect %s: %v", e.Name, container, err)
	}
	image := c.ImageID
	if image == "" {
		image = c.Image
	}
	out, err = e.run(ctx, "image", "inspect", "--format", "{{json .Config.Volumes}}", image)
	if err != nil {
		return Container{}, err
	}
	if c.ImageVolumes, err = ParseImageVolumes(out); err != nil {
		return Container{}, fmt.Errorf("%s image inspect %s: %v", e.Name, image, err)
	}
	return c, nil
}

// Diff returns the changes a container made to its root filesystem.
func (e *Engine) Diff(ctx context.Context, container string) ([]Change, error) {
	out, err := e.run(ctx, "diff", container)
	if err != nil {
		return nil, err
	}
	cs, err := ParseDiff(string(out))
	if err != nil {
		return nil, fmt.Errorf("%s diff %s: %v", e.Name, container, err)
	}
	return cs, nil
}

// Stat returns the type, numeric owner and mode of a path in a container,
// from the first header of the archive "cp CONTAINER:PATH -" streams (it
// needs no tool inside the image). Podman's archive carries the caller's
// ids with the container's user and group names: those names are looked up
// in the container's /etc/passwd and /etc/group.
func (e *Engine) Stat(ctx context.Context, container, path string) (Info, error) {
	info, err := e.stat(ctx, container, path)
	if err != nil || !needsNames(info) {
		return info, err
	}
	for _, id := range []struct {
		name, file string
		set        *int
	}{{info.User, "/etc/passwd", &info.UID}, {info.Group, "/etc/group", &info.GID}} {
		if id.name == "" || id.name == "root" {
			continue
		}
		file, err := e.readFile(ctx, container, id.file)
		if err != nil {
			return Info{}, err
		}
		n := LookupID(file, id.name)
		if n < 0 {
			return Info{}, fmt.Errorf("%s owner %q of %s is not in the container's %s", e.Name, id.name, path, id.file)
		}
		*id.set = n
	}
	return info, nil
}

// readFile returns a file of the container (at most 1 MiB).
func (e *Engine) readFile(ctx context.Context, container, path string) ([]byte, error) {
	out, err := e.run(ctx, "cp", container+":"+path, "-")
	if err != nil {
		return nil, err
	}
	return ReadFile(bytes.NewReader(out), 1<<20)
}

// stat reads the first header of the archive of path; only that header is
// read.
func (e *Engine) stat(ctx context.Context, container, path string) (Info, error) {
	var info Info
	err := e.archive(ctx, container, path, func(r io.Reader) (err error) {
		info, err = ReadInfo(r)
		return err
	})
	return info, err
}

// List returns the names of the entries directly in the directory dir of
// a container that are not in skip, at most max (see ListArchive).
func (e *Engine) List(ctx context.Context, container, dir string, skip map[string]bool, max int) ([]string, error) {
	var names []string
	err := e.archive(ctx, container, dir, func(r io.Reader) (err error) {
		names, err = ListArchive(r, skip, max)
		return err
	})
	return names, err
}

// archive streams the archive "cp CONTAINER:PATH -" prints to read, and
// stops the copy when read returns: only what read needs is transferred.
func (e *Engine) archive(ctx context.Context, container, path string, read func(io.Reader) error) error {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.CLI, "cp", container+":"+path, "-")
	cmd.Env = e.Env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s cp: %v", e.Name, err)
	}
	rerr := read(stdout)
	// The rest of the archive is not needed: stop the copy.
	cancel()
	werr := cmd.Wait()
	if rerr != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" && werr != nil && !errors.Is(ctx.Err(), context.Canceled) {
			msg = werr.Error()
		}
		return fmt.Errorf("%s cp %s:%s: %v %s", e.Name, container, path, rerr, msg)
	}
	return nil
}
