package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/rofix/rofix/rewrite/config"
	"github.com/rofix/rofix/rewrite/lsp"
	"github.com/rofix/rofix/rewrite/policy"
)

const lspUsage = `usage: rofix lsp [-ro-mounts MODE] [-config FILE]

Serve the Language Server Protocol on stdin and stdout: diagnostics for
compose files and shell scripts, a quick fix per finding, the
source.fixAll.rofix code action, and formatting (the result of
rofix --stdin-filename). Each document gets the policy of the .rofix.yaml
that governs its file (or of -config FILE), read afresh for every analysis
so that edits to the config apply at once. See docs/editors.md.
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
		err = errors.New("lsp takes only policy flags (-ro-mounts, -config); the editor asks for diagnostics, fixes and formatting")
	}
	if err != nil {
		fmt.Fprintf(stderr, "rofix lsp: %v\nRun 'rofix lsp -h' for usage.\n", err)
		return ExitError
	}
	if _, err := config.NewFinder(opts.policy, opts.roMountsGiven, opts.configFile); err != nil {
		fmt.Fprintf(stderr, "%v\nrofix lsp: the config file has errors\n", err)
		return ExitError
	}
	switch err := lsp.Serve(stdin, stdout, documentPolicy(opts)); {
	case errors.Is(err, lsp.ErrNoShutdown):
		return 1 // the protocol's status for exit without shutdown
	case err != nil:
		fmt.Fprintf(stderr, "rofix lsp: %v\n", err)
		return ExitError
	}
	return ExitOK
}

// documentPolicy returns the policy of each document as stdin mode would
// give it: the command line's policy with the governing config applied.
// The config is discovered anew on every call (a few stat calls), so that
// a .rofix.yaml edited during the session applies to the next analysis.
func documentPolicy(opts *options) lsp.PolicyFunc {
	return func(path string) (policy.Policy, error) {
		finder, err := config.NewFinder(opts.policy, opts.roMountsGiven, opts.configFile)
		if err != nil {
			return opts.policy, err
		}
		gov := finder.For(path)
		if gov.Err != nil {
			return opts.policy, fmt.Errorf("not processed: its config file %s has errors: %w", gov.Path, gov.Err)
		}
		// Like --stdin-filename: the document's tree gives its Dockerfiles
		// and the other files of its compose set, read only.
		return withTree(gov.Policy, path, nil), nil
	}
}
