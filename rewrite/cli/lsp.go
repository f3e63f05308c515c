package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/rofix/rofix/rewrite/lsp"
	"github.com/rofix/rofix/rewrite/policy"
)

const lspUsage = `usage: rofix lsp [-ro-mounts MODE]

Serve the Language Server Protocol on stdin and stdout: diagnostics for
compose files and shell scripts, a quick fix per finding, the
source.fixAll.rofix code action, and formatting (the result of
rofix --stdin-filename). See docs/editors.md.
`

// runLSP is "rofix lsp": a language server session on stdin and stdout.
func runLSP(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rofix lsp", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	roMounts := fs.String("ro-mounts", "auto", "")
	err := fs.Parse(args)
	if err == flag.ErrHelp {
		fmt.Fprint(stdout, lspUsage)
		return ExitOK
	}
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("lsp takes no arguments, got %q", fs.Args())
	}
	pol := policy.Default()
	if err == nil {
		pol.ROMounts, err = policy.ParseROMounts(*roMounts)
	}
	if err != nil {
		fmt.Fprintf(stderr, "rofix lsp: %v\nRun 'rofix lsp -h' for usage.\n", err)
		return ExitError
	}
	switch err := lsp.Serve(stdin, stdout, pol); {
	case errors.Is(err, lsp.ErrNoShutdown):
		return 1 // the protocol's status for exit without shutdown
	case err != nil:
		fmt.Fprintf(stderr, "rofix lsp: %v\n", err)
		return ExitError
	}
	return ExitOK
}
