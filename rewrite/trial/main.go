package trial

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rofix/rofix/rewrite/learn"
	"github.com/rofix/rofix/rewrite/policy"
)

// Exit statuses, as rofix's.
const (
	exitOK    = 0
	exitError = 2
)

const usage = `usage: rofix try [-w] [--engine docker|podman] [--timeout DURATION]
                 [--settle DURATION] [--format text|json|markdown]
                 [--allow-host-writes] [--enable RULE[,RULE]] [FILE]

rofix try proves that a compose project still runs hardened, on your own
container engine. It runs the project as it is, in a scratch copy of its
directory under a project name of its own (published ports and container
names left out, so nothing clashes with a running stack), learns per
service what each container writes, hardens the compose file with that,
exactly as "rofix -w" would write it, and runs the hardened project from a
clean slate. A service that fails hardened gets the paths its logs name and
is tried again, a few rounds at most; if it still fails, read-only is
withheld from it, with its log lines as the reason. The report says per
service what it got and the evidence: its state, health, how long it was
observed, the read-only root and no-new-privileges seen by inspect.

With the opt-in rules non-root and cap-drop on (--enable, or rules: in
.rofix.yaml), each service that ran hardened is then searched, in more
rounds: a non-root user (the owner of what it wrote) run with cap_drop
ALL, else the capabilities it keeps after dropping ALL, starting from the
engine's default set less NET_RAW, MKNOD and AUDIT_WRITE and removing
what it runs without. The report gives each kept capability's evidence
(how the service failed without it); -w records caps:, run_as: and
needs_root: under services:. The search takes minutes: give --timeout
room.

Every container, network, volume and image the trial creates is removed
when it ends, also on failure and on ^C; your files change only with -w,
which writes the hardened compose file and records what was learned in the
governing .rofix.yaml (under services:, or under images: where every
service of an image agrees). A second "rofix try -w" changes nothing.

FILE is a compose file; without it, the compose file of the current
directory and its override file, as compose finds them. Profiles and
environment apply as compose applies them (COMPOSE_PROFILES, .env).

Flags:
  -w                   write the hardened compose file and .rofix.yaml
  --engine NAME        docker or podman (default: docker, or podman when
                       there is no docker on PATH); DOCKER_HOST, contexts
                       and CONTAINER_HOST apply. Compose is the docker
                       compose plugin, else docker-compose; on podman,
                       podman compose, else either on podman's socket.
                       ROFIX_COMPOSE names another compose command.
  --timeout DURATION   the whole trial's limit (default 5m)
  --settle DURATION    how long a running service is observed (default 10s)
  --format NAME        text (default), json, or markdown (for a pull
                       request's body)
  --allow-host-writes  run services that mount a host path or an external
                       volume writable (refused by default: the trial would
                       write your files)
  --enable RULE[,RULE] switch on the opt-in rules cap-drop and non-root
                       (as rofix's --enable; .rofix.yaml's rules: also do)
  -h                   print this help

Exit status: 0 when every service ends proven, or withheld with its
reason; 2 when the original project does not come up, a service fails
hardened, or on errors.
`

// options are the command line of one trial.
type options struct {
	write           bool
	engine          string
	timeout, settle time.Duration
	format          string
	allowHostWrites bool
	file            string
	// enable are the opt-in rules --enable switches on (with the config
	// file's rules: ones).
	enable policy.EnableFlag
}

// policy returns the policy the trial starts from: the default, with the
// opt-in rules of --enable on.
func (o options) policy() policy.Policy {
	p := policy.Default()
	p.On = o.enable
	return p
}

// Main runs "rofix try" with args (after "try") and returns the exit
// status.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rofix try", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o options
	fs.BoolVar(&o.write, "w", false, "")
	fs.StringVar(&o.engine, "engine", "", "")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "")
	fs.DurationVar(&o.settle, "settle", 10*time.Second, "")
	fs.StringVar(&o.format, "format", "text", "")
	fs.BoolVar(&o.allowHostWrites, "allow-host-writes", false, "")
	fs.Var(&o.enable, "enable", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		fmt.Fprintf(stderr, "rofix try: %v\n%s", err, usage)
		return exitError
	}
	switch {
	case fs.NArg() > 1:
		fmt.Fprintf(stderr, "rofix try: name one compose file\n%s", usage)
		return exitError
	case o.format != "text" && o.format != "json" && o.format != "markdown":
		fmt.Fprintf(stderr, "rofix try: --format %q: want text, json or markdown\n", o.format)
		return exitError
	case o.timeout <= 0 || o.settle <= 0 || o.settle >= o.timeout:
		fmt.Fprintf(stderr, "rofix try: want 0 < --settle < --timeout\n")
		return exitError
	}
	o.file = fs.Arg(0)

	// ^C and SIGTERM end the trial; the cleanup then runs on a context of
	// its own, and further signals are swallowed until it is done.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for sig := range sigs {
			if ctx.Err() == nil {
				fmt.Fprintf(stderr, "rofix try: %v: stopping the trial and removing what it created\n", sig)
			}
			cancel()
		}
	}()

	rep, err := run(ctx, o, stderr)
	if rep != nil {
		if werr := render(stdout, o.format, rep); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "rofix try: %v\n", err)
		return exitError
	}
	if !rep.OK() {
		return exitError
	}
	return exitOK
}

// run runs one trial and returns its report (nil when none could be
// made), and the error that ended it.
func run(ctx context.Context, o options, log io.Writer) (*Report, error) {
	p, err := findProject(o.file)
	if err != nil {
		return nil, err
	}
	e, err := learn.FindEngine(o.engine)
	if err != nil {
		return nil, err
	}
	t, err := newTrial(ctx, o, p, e, log)
	if err != nil {
		return nil, err
	}
	defer t.cleanup()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	return t.run(ctx)
}
