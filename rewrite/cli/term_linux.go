package cli

import "golang.org/x/sys/unix"

// ioctlReadTermios is the request that reads a terminal's settings: it
// fails on anything that is not a terminal (a file, a pipe, /dev/null).
const ioctlReadTermios = unix.TCGETS
