//go:build unix

package trial

import (
	"errors"
	"os/exec"
	"syscall"
)

// detach starts cmd in a process group of its own, so that the terminal's
// ^C reaches rofix (which then cleans up) and not the engine commands of
// the cleanup itself; cancelling cmd kills its whole group (the docker CLI
// and the compose plugin it runs).
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

// processAlive reports whether a process with the pid exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
