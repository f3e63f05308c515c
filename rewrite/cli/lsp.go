package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/rofix/rofix/rewrite/lsp"
)

const lspUsage = `usage: rofix lsp [-ro-mounts MODE]

Serve the Language Server Protocol on stdin and stdout: diagnostics for
compose files and shell scripts, a quick fix per finding, the
source.fixAll.rofix code action, and formatting (the result of
rofix --stdin-filename). See docs/editors.md.
`

// runLSP is "rofix lsp": a language server session on stdin and stdout.
// It takes the command line's policy flags (parsed by parseFlags, so the
// server applies exactly the policy stdin mode would), and no paths or
// output modes.
func runLSP(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if err == flag.ErrHelp {
		fmt.Fprint(stdout, lspUsage)
		return ExitOK
	}
	switch {
	case err != nil:
	case len(opts.paths) != 1 || opts.paths[0] != ".":
		err = fmt.Errorf("lsp takes no arguments, got %q", opts.paths)
	case opts.write || opts.list || opts.check || opts.stdinName != "":
		err = errors.New("lsp takes only policy flags (-ro-mounts); the editor asks for diagnostics, fixes and formatting")
	}
	if err != nil {
		fmt.Fprintf(stderr, "rofix lsp: %v\nRun 'rofix lsp -h' for usage.\n", err)
		return ExitError
	}
	switch err := lsp.Serve(stdin, stdout, opts.policy); {
	case errors.Is(err, lsp.ErrNoShutdown):
		return 1 // the protocol's status for exit without shutdown
	case err != nil:
		fmt.Fprintf(stderr, "rofix lsp: %v\n", err)
		return ExitError
	}
	return ExitOK
}
