package learn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
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
			return &Engine{Name: n, CLI: p}, nil
		}
	}
	return nil, fmt.Errorf("no %s on PATH", strings.Join(names, " or "))
}

// run runs the CLI with args and returns its standard output.
func (e *Engine) run(ctx context.Context, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.CLI, args...)
	cmd.Env = e.Env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("%s %s: %s", filepath.Base(e.CLI), strings.Join(args, " "), msg)
	}
	return out, nil
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
// needs no tool inside the image). Only that header is read.
func (e *Engine) Stat(ctx context.Context, container, path string) (Info, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.CLI, "cp", container+":"+path, "-")
	cmd.Env = e.Env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Info{}, err
	}
	if err := cmd.Start(); err != nil {
		return Info{}, fmt.Errorf("%s cp: %v", e.Name, err)
	}
	info, rerr := ReadInfo(stdout)
	// The rest of the archive is not needed: stop the copy.
	cancel()
	werr := cmd.Wait()
	if rerr != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" && werr != nil && !errors.Is(ctx.Err(), context.Canceled) {
			msg = werr.Error()
		}
		return Info{}, fmt.Errorf("%s cp %s:%s: %v %s", e.Name, container, path, rerr, msg)
	}
	return info, nil
}
