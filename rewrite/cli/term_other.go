//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package cli

import "os"

// isTerminal reports false where rofix cannot tell: plain output is safe.
func isTerminal(f *os.File) bool { return false }
