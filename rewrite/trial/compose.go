package trial

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rofix/rofix/rewrite/learn"
)

// A Compose runs one compose implementation: the docker compose plugin,
// docker-compose 1, or podman compose.
type Compose struct {
	// Argv is the command that starts it ("docker compose",
	// "docker-compose").
	Argv []string
	// Env is its environment (nil: the process's own).
	Env []string
}

// Version returns what the compose implementation says of its version.
func (c *Compose) Version(ctx context.Context) string {
	out, err := c.output(ctx, "", "version", "--short")
	if err != nil {
		out, err = c.output(ctx, "", "version")
		if err != nil {
			return "unknown"
		}
	}
	v := strings.TrimSpace(string(out))
	if i := strings.IndexByte(v, '\n'); i >= 0 {
		v = v[:i]
	}
	return strings.TrimPrefix(v, "docker-compose version ")
}

// String names the implementation as the user would type it.
func (c *Compose) String() string {
	argv := append([]string{filepath.Base(c.Argv[0])}, c.Argv[1:]...)
	return strings.Join(argv, " ")
}

// composeTimeout bounds one compose command that is not bounded by the
// trial's own deadline (down, in the cleanup).
const composeTimeout = 3 * time.Minute

// output runs compose with args in dir and returns its standard output;
// the error carries the end of its standard error.
func (c *Compose) output(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, c.Argv[0], append(c.Argv[1:len(c.Argv):len(c.Argv)], args...)...)
	cmd.Env, cmd.Dir = c.Env, dir
	cmd.WaitDelay = 5 * time.Second
	detach(cmd)
	return learn.CommandOutput(cmd, c.String()+" "+strings.Join(args, " "))
}

// findCompose returns the compose to run on engine e: the command named by
// ROFIX_COMPOSE when set; for docker, the docker compose plugin, else
// docker-compose; for podman, podman compose, else the docker compose
// plugin or docker-compose on podman's Docker API socket.
func findCompose(ctx context.Context, e *learn.Engine) (*Compose, error) {
	env := e.Env
	if env == nil {
		env = os.Environ()
	}
	if s := os.Getenv("ROFIX_COMPOSE"); s != "" {
		return &Compose{Argv: strings.Fields(s), Env: env}, nil
	}
	works := func(c *Compose) bool {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		_, err := c.output(ctx, "", "version")
		return err == nil
	}
	if e.Name == "podman" {
		if c := (&Compose{Argv: []string{e.CLI, "compose"}, Env: env}); works(c) {
			return c, nil
		}
		sock, err := podmanSocket(ctx, e)
		if err != nil {
			return nil, err
		}
		env = append(env[:len(env):len(env)], "DOCKER_HOST=unix://"+sock)
	}
	if docker, err := exec.LookPath("docker"); err == nil {
		if c := (&Compose{Argv: []string{docker, "compose"}, Env: env}); works(c) {
			return c, nil
		}
	}
	if p, err := exec.LookPath("docker-compose"); err == nil {
		return &Compose{Argv: []string{p}, Env: env}, nil
	}
	return nil, errors.New("no compose found: install the docker compose plugin or docker-compose (or set ROFIX_COMPOSE)")
}

// podmanSocket returns the path of podman's Docker API socket, which
// docker-compose needs when podman has no compose of its own.
func podmanSocket(ctx context.Context, e *learn.Engine) (string, error) {
	out, err := e.Output(ctx, "info", "--format", "{{.Host.RemoteSocket.Path}}")
	if err != nil {
		return "", err
	}
	sock := strings.TrimPrefix(strings.TrimSpace(string(out)), "unix://")
	if st, err := os.Stat(sock); err != nil || st.Mode()&os.ModeSocket == 0 {
		return "", fmt.Errorf("podman has no compose of its own and its Docker API socket %q is not there: start it (podman system service) or install podman compose", sock)
	}
	return sock, nil
}
