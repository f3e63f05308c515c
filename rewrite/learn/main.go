package learn

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Exit statuses, as rofix's.
const (
	exitOK    = 0
	exitError = 2
)

const usage = `usage: rofix learn [--engine docker|podman] [--config FILE] [-n] CONTAINER...

rofix learn asks the container engine what each running (or stopped)
container wrote outside its mounts ("docker diff"), groups the writes into
the directories to declare, reads who owns each one in the container, and
records them under the container's image in the config file, where
"rofix -w" finds them: a tmpfs for scratch paths (with uid=,gid= when a
service user owns the directory), a volume for state.

Run the container as you normally do, without a read-only root, let it do
its work, then run learn on it.

Flags:
  --engine NAME   docker or podman (default: docker, or podman when there is
                  no docker on PATH); the engine's own settings apply
                  (DOCKER_HOST, contexts, CONTAINER_HOST)
  --config FILE   the config file to record in (default: ./.rofix.yaml),
                  created when absent, edited in place when present
  -n              print what was learned, do not write the config file
  -h              print this help
`

// Main runs "rofix learn" with args (after "learn") and returns the exit
// status.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rofix learn", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	engine := fs.String("engine", "", "")
	config := fs.String("config", ".rofix.yaml", "")
	dry := fs.Bool("n", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		fmt.Fprintf(stderr, "rofix learn: %v\n%s", err, usage)
		return exitError
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "rofix learn: name at least one container\n%s", usage)
		return exitError
	}
	e, err := FindEngine(*engine)
	if err != nil {
		fmt.Fprintf(stderr, "rofix learn: %v\n", err)
		return exitError
	}
	ctx := context.Background()
	date := time.Now().UTC().Format("2006-01-02")
	status := exitOK
	// The containers are asked in parallel (each question is a few
	// engine commands) and printed in the order named.
	names := fs.Args()
	results := make([]Proposal, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = Learn(ctx, e, name)
		}()
	}
	wg.Wait()
	var props []Proposal
	for i, pr := range results {
		if errs[i] != nil {
			fmt.Fprintf(stderr, "rofix learn: %v\n", errs[i])
			status = exitError
			continue
		}
		Print(stdout, pr)
		props = append(props, pr)
	}
	if *dry || len(props) == 0 {
		return status
	}
	if err := RecordFile(*config, Collect(props, e.Name, date), stdout); err != nil {
		fmt.Fprintf(stderr, "rofix learn: %v\n", err)
		return exitError
	}
	return status
}

// Learn asks the engine about one container and returns what it needs,
// with the tmpfs options its directories' owners need.
func Learn(ctx context.Context, e *Engine, container string) (Proposal, error) {
	c, err := e.Inspect(ctx, container)
	if err != nil {
		return Proposal{}, err
	}
	changes, err := e.Diff(ctx, container)
	if err != nil {
		return Proposal{}, err
	}
	stat := func(p string) (Info, error) { return e.Stat(ctx, container, p) }
	pr := Propose(c, changes, stat)
	if e.Podman() {
		ForPodman(&pr)
	} else if err := Own(&pr, stat); err != nil {
		return Proposal{}, fmt.Errorf("container %s: %v", c.Name, err)
	}
	list := func(dir string, skip map[string]bool, max int) ([]string, error) {
		return e.List(ctx, container, dir, skip, max)
	}
	if err := MarkShipped(&pr, list); err != nil {
		return Proposal{}, fmt.Errorf("container %s: %v", c.Name, err)
	}
	return pr, nil
}

// Own sets the options of each tmpfs declaration from the owner and mode
// of its directory in the container.
func Own(pr *Proposal, stat StatFunc) error {
	for i := range pr.Decls {
		d := &pr.Decls[i]
		if d.Volume {
			continue
		}
		info, err := stat(d.Path)
		if err != nil {
			return err
		}
		d.Options = TmpfsOptions(info)
	}
	return nil
}

// Tmpfs returns the declaration as a "PATH[:OPTIONS]" entry.
func (d Decl) Tmpfs() string {
	if d.Options == "" {
		return d.Path
	}
	return d.Path + ":" + d.Options
}

// maxEvidence bounds the writes printed per declaration.
const maxEvidence = 6

// Print writes what was learned of one container, with the evidence.
func Print(w io.Writer, pr Proposal) {
	c := pr.Container
	fmt.Fprintf(w, "%s (", c.Name)
	if c.Service != "" {
		fmt.Fprintf(w, "service %s, ", c.Service)
	}
	fmt.Fprintf(w, "image %s", c.Image)
	if c.User != "" {
		fmt.Fprintf(w, ", user %s", c.User)
	}
	fmt.Fprintln(w, "):")
	if len(pr.Decls) == 0 {
		fmt.Fprintln(w, "  wrote nothing outside its mounts")
	}
	for _, d := range pr.Decls {
		kind, p, why := "tmpfs ", d.Tmpfs(), d.Why
		switch {
		case d.Volume:
			kind, p = "volume", d.Path
		case len(d.Shipped) > 0:
			kind, p = "no tmpfs", d.Path
			why = "the image ships " + strings.Join(d.Shipped, ", ") + " there: a tmpfs would hide them, the root stays writable"
		}
		fmt.Fprintf(w, "  %s %s  (%s)\n", kind, p, why)
		for i, ev := range d.Evidence {
			if i == maxEvidence {
				fmt.Fprintf(w, "      ... and %d more\n", len(d.Evidence)-maxEvidence)
				break
			}
			fmt.Fprintf(w, "      %c %s\n", ev.Kind, ev.Path)
		}
	}
	for _, ig := range pr.Ignored {
		fmt.Fprintf(w, "  ignored %c %s: %s\n", ig.Change.Kind, ig.Change.Path, ig.Why)
	}
}

// RecordFile records each Learned in the config file at path (created when
// absent), writing it once, atomically, with its mode kept, and prints what
// it did.
func RecordFile(path string, ls []Learned, w io.Writer) error {
	src, err := os.ReadFile(path)
	mode := os.FileMode(0o644)
	switch {
	case err == nil:
		if st, err := os.Stat(path); err == nil {
			mode = st.Mode().Perm()
		}
	case errors.Is(err, os.ErrNotExist):
		src = nil
	default:
		return err
	}
	out := src
	changed := false
	for _, l := range ls {
		next, action, err := Record(out, l)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		what := l.Image
		if l.Service != "" {
			what = "service " + l.Service
		}
		fmt.Fprintf(w, "%s: %s %s\n", path, action, what)
		if action != "unchanged" {
			out, changed = next, true
		}
	}
	if !changed {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".rofix.yaml.*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
