// Command rofix hardens the files that start containers: Docker Compose
// files and shell scripts with docker, podman and nerdctl run commands.
// Run "rofix -h" for usage.
package main

import (
	"os"

	"github.com/rofix/rofix/rewrite/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
