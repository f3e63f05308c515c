//go:build !unix

package trial

import "os/exec"

// detach does nothing where there are no process groups.
func detach(cmd *exec.Cmd) {}
