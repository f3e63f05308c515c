// Package bench holds rofix's performance measurement: the programs that
// generate benchmark inputs, the floors rofix is compared with, and the
// script behind make bench. See README.md in this folder.
package bench
