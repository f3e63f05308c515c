// Package cli is rofix's command line: it parses flags, finds the files to
// process, runs the engines in parallel and renders their results as diffs,
// lists, in-place writes and findings. cmd/rofix only calls Main.
package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/rofix/rofix/rewrite/config"
	"github.com/rofix/rofix/rewrite/policy"
)

// Exit statuses.
const (
	ExitOK      = 0
	ExitChanges = 1 // --check and some file would change
	ExitError   = 2 // any error; other files are still processed
)

const usage = `usage: rofix [flags] [path ...]
       rofix images [PATTERN]
       rofix lsp    (a language server on stdio; see docs/editors.md)
       rofix learn  CONTAINER...  (what running containers wrote; rofix learn -h)
       rofix try    [-w] [FILE]   (prove a compose project runs hardened, on
                                   your engine; rofix try -h)

rofix hardens the files that start containers: Docker Compose files, shell
scripts with docker/podman/nerdctl run commands, Kubernetes manifests,
Quadlet and systemd units, and run commands in Makefiles, CI workflows and
(with -docs) Markdown. It adds a read-only
root filesystem, a tmpfs on /tmp, no-new-privileges, and read-only bind
mounts where the container only reads, with minimal byte edits.

Without a path it processes ".". A directory is walked (symlinks are not
followed; test fixtures, generated files, per-version release directories,
vendored trees and what .gitignore ignores are skipped, and listed with -v;
.rofix.yaml's include and exclude change that): compose files are
compose.y(a)ml, docker-compose.y(a)ml and their compose.*.y(a)ml and
docker-compose.*.y(a)ml variants; shell scripts are *.sh, *.bash and files
with a sh, bash, dash or ksh shebang; Kubernetes manifests are YAML with
apiVersion and kind; *.container, *.service, Makefile, *.mk,
.github/workflows/*.y(a)ml, .gitlab-ci.yml and, with -docs, *.md are taken
by name. A file named explicitly is processed by its content whatever its
name.

Flags:
  -d              print a unified diff (git apply compatible); the default
  -w              write the result to the files in place (atomic, mode kept)
  -l              list the files whose content would change
  -check          exit with status 1 when any file would change
  -stdin-filename NAME
                  read the content from stdin, write the hardened content to
                  stdout; NAME picks compose or shell (format-on-save mode)
  -ro-mounts MODE which bind mounts become read-only: auto (configuration
                  under /etc, the engine socket, single files; the default),
                  binds (every bind mount) or off
  -enable RULE[,RULE]
                  switch on opt-in rules, off by default: cap-drop (drop
                  every capability, add back what the image needs) and
                  non-root (run as the image's unprivileged user); wins
                  over .rofix.yaml's rules:, and may be repeated
  -config FILE    use FILE as the config file of every processed file instead
                  of discovering .rofix.yaml (in the file's directory or the
                  nearest parent, up to the repository root)
  -format FORMAT  what stdout carries: text (diffs, lists, content; the
                  default), or one document for the whole run instead of
                  the diffs: json, sarif (SARIF 2.1.0 with fixes) or
                  markdown (a pull request body); -w, -l and -check keep
                  their meaning
  -docs           also harden the sh, bash, shell and console code blocks of
                  Markdown files (*.md)
  -v              also report the changes made, not only what needs a human;
                  list what a walk skipped and why; print the run's summary
                  even when stderr is not a terminal
  -h              print this help

Flags may be written with one or two dashes (-w, --check).

On a terminal rofix colours diffs (not with NO_COLOR set), shows a progress
line when a run takes more than a second, and prints a summary on stderr
after a run over a directory (with -v, also when stderr is not a terminal).

rofix images [PATTERN] prints what rofix knows about an image (tmpfs paths,
state paths, verdict, sources); without PATTERN it lists every known image.
(To process a directory named images, write ./images.)

Findings and errors go to stderr as path:line:col: rule: message (path:
rule: message without a position). Rules: read-only, tmpfs,
no-new-privileges, ro-mounts, and the opt-in cap-drop and non-root; errors
are syntax or unsupported.

Directives in comments:
  # rofix:ignore               on the line above a service or command, or at
                               the end of its line: skip it
  # rofix:ignore tmpfs,read-only   skip only these rules there
  # rofix:ignore-file          anywhere: skip the whole file

Exit status: 0 when fine, 1 with -check when a file would change, 2 on any
error (the other files are still processed).
`

// options are the parsed command line.
type options struct {
	diff, write, list, check, verbose bool
	docs                              bool // also harden Markdown code blocks
	stdinName                         string
	format                            string // see format.go
	env                               env    // see term.go
	policy                            policy.Policy
	paths                             []string
	// configFile is the --config file, "" for discovery; roMountsGiven
	// says --ro-mounts was given (it then wins over a config's mode).
	configFile    string
	roMountsGiven bool
	// configs gives each file its config and policy, loading each config
	// file once for the whole run.
	configs *config.Finder
}

// Main runs rofix with args (without the program name) and returns the exit
// status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(args, stdin, stdout, stderr, detectEnv(stdout, stderr))
}

// run is Main with the environment given.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, e env) int {
	if len(args) > 0 && args[0] == "images" {
		k, err := imagesKnowledge()
		if err != nil {
			io.WriteString(stderr, configErrors(err))
			return ExitError
		}
		return runImages(k, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "lsp" {
		return runLSP(args[1:], stdin, stdout, stderr)
	}
	opts, err := parseFlags(args, stderr)
	if err == flag.ErrHelp {
		fmt.Fprint(stdout, usage)
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "rofix: %v\nRun 'rofix -h' for usage.\n", err)
		return ExitError
	}
	opts.env = e
	if opts.configs, err = config.NewFinder(opts.policy, opts.roMountsGiven, opts.configFile); err != nil {
		fmt.Fprintf(stderr, "%srofix: the config file has errors; nothing was processed\n", configErrors(err))
		return ExitError
	}
	if opts.stdinName != "" {
		return runStdin(opts, stdin, stdout, stderr)
	}
	return runPaths(opts, stdout, stderr)
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	opts := &options{policy: policy.Default()}
	fs := flag.NewFlagSet("rofix", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&opts.diff, "d", false, "")
	fs.BoolVar(&opts.write, "w", false, "")
	fs.BoolVar(&opts.list, "l", false, "")
	fs.BoolVar(&opts.check, "check", false, "")
	fs.BoolVar(&opts.verbose, "v", false, "")
	fs.BoolVar(&opts.docs, "docs", false, "")
	fs.StringVar(&opts.stdinName, "stdin-filename", "", "")
	fs.StringVar(&opts.configFile, "config", "", "")
	roMounts := fs.String("ro-mounts", "auto", "")
	var enable policy.EnableFlag
	fs.Var(&enable, "enable", "")
	fs.StringVar(&opts.format, "format", formatText, "")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if err := checkFormat(opts.format); err != nil {
		return nil, err
	}
	mode, err := policy.ParseROMounts(*roMounts)
	if err != nil {
		return nil, err
	}
	opts.policy.ROMounts = mode
	opts.policy.On = enable
	fs.Visit(func(f *flag.Flag) { opts.roMountsGiven = opts.roMountsGiven || f.Name == "ro-mounts" })
	opts.paths = fs.Args()
	if opts.stdinName != "" {
		if len(opts.paths) > 0 {
			return nil, fmt.Errorf("-stdin-filename takes no paths, got %s", strings.Join(opts.paths, " "))
		}
		if opts.write {
			return nil, fmt.Errorf("-w cannot be used with -stdin-filename")
		}
	}
	if !opts.write && !opts.list && opts.stdinName == "" {
		opts.diff = true
	}
	if len(opts.paths) == 0 {
		opts.paths = []string{"."}
	}
	return opts, nil
}
