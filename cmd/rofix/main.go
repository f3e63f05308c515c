// Command rofix hardens the files that start containers: Docker Compose
// files and shell scripts with docker, podman and nerdctl run commands.
// Run "rofix -h" for usage.
package main

import (
	"os"
	"runtime/debug"

	"github.com/rofix/rofix/rewrite/cli"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// rofix's live heap is small and short-lived (one file per core);
		// the default target would collect every few MB of a repository
		// scan. A higher target trades a little memory for a quarter of the
		// scan's CPU time (see BENCHMARKS.md).
		debug.SetGCPercent(400)
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
