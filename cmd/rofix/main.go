// Command rofix hardens the files that start containers: Docker Compose
// files and shell scripts with docker, podman and nerdctl run commands.
// Run "rofix -h" for usage. "rofix learn" (package learn) and "rofix try"
// (package trial) are the subcommands that ask a container engine;
// everything else is cli's, which never executes a program nor opens a
// connection.
package main

import (
	"os"
	"runtime/debug"

	"github.com/rofix/rofix/rewrite/cli"
	"github.com/rofix/rofix/rewrite/learn"
	"github.com/rofix/rofix/rewrite/trial"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// rofix's live heap is small and short-lived (one file per core);
		// the default target would collect every few MB of a repository
		// scan. A higher target trades a little memory for a quarter of the
		// scan's CPU time (see BENCHMARKS.md).
		debug.SetGCPercent(400)
	}
	os.Exit(dispatch(os.Args[1:]))
}

// dispatch sends "rofix learn" to learn, "rofix try" to trial and
// everything else to cli, and
// returns the exit status.
func dispatch(args []string) int {
	if len(args) > 0 && args[0] == "learn" {
		return learn.Main(args[1:], os.Stdout, os.Stderr)
	}
	if len(args) > 0 && args[0] == "try" {
		return trial.Main(args[1:], os.Stdout, os.Stderr)
	}
	return cli.Main(args, os.Stdin, os.Stdout, os.Stderr)
}
