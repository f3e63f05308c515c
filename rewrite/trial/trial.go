package trial

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rofix/rofix/rewrite/cli"
	"github.com/rofix/rofix/rewrite/config"
	"github.com/rofix/rofix/rewrite/learn"
)

// maxRounds bounds the hardened runs of one trial: the first, and the
// repairs after it.
const maxRounds = 4

// A trial is one "rofix try": the user's project, the engine, and what the
// trial created (projects, the scratch directory), for the cleanup.
type trial struct {
	o         options
	p         *Project
	engine    *learn.Engine
	compose   *Compose
	podmanCLI string // podman, to run healthchecks on podman ("" elsewhere)
	settle    time.Duration
	log       io.Writer
	id        string
	scratch   string

	cfgPath   string // the governing .rofix.yaml, or the one -w creates
	cfgShown  string
	cfgSrc    []byte
	cfgExists bool

	repairs      map[string][]string // per service, what the repairs gave it
	serviceImage map[string]string   // per service, its image (normalised)

	// What the privilege search starts from, per service: what the file
	// says of its privileges, the user its image runs as, and the owner
	// of what it wrote.
	filePriv   map[string]filePriv
	imageUser  map[string]string
	candidates map[string]candidate
	baseLogs   map[string][]string // the end of its logs as it is
	baseUsers  map[string][]string // the users its processes ran as as it is

	mu       sync.Mutex
	projects []*project // created, removed by cleanup
	report   *Report
}

// A project is one run of the user's project under a name of the trial's.
type project struct {
	name, dir string
	files     []string
	services  []string // the services compose's resolved config names
	config    []byte   // compose's resolved config
	downOnce  sync.Once
	downErr   error
}

func newTrial(ctx context.Context, o options, p *Project, e *learn.Engine, log io.Writer) (*trial, error) {
	c, err := findCompose(ctx, e)
	if err != nil {
		return nil, err
	}
	t := &trial{o: o, p: p, engine: e, compose: c, settle: o.settle, log: log}
	if e.Podman() {
		if e.Name == "podman" {
			t.podmanCLI = e.CLI
		} else if pc, err := exec.LookPath("podman"); err == nil {
			t.podmanCLI = pc
		}
	}
	// The id keeps parallel trials' projects apart; it needs no secrecy
	// (crypto/rand would link the crypto packages into every process).
	t.id = hex.EncodeToString(binary.BigEndian.AppendUint32(nil, rand.Uint32()))
	finder, err := config.NewFinder(o.policy(), false, "")
	if err != nil {
		return nil, err
	}
	gov := finder.For(filepath.Join(p.Dir, p.Files[0]))
	if gov.Err != nil {
		return nil, gov.Err
	}
	if gov.Config != nil {
		t.cfgPath, t.cfgShown, t.cfgExists = gov.Path, gov.Path, true
		if t.cfgSrc, err = os.ReadFile(gov.Path); err != nil {
			return nil, err
		}
	} else {
		t.cfgPath = filepath.Join(p.Dir, config.FileName)
		t.cfgShown = filepath.Join(filepath.Dir(p.Shown), config.FileName)
	}
	if t.scratch, err = os.MkdirTemp("", "rofix-try-"+t.id+"-"); err != nil {
		return nil, err
	}
	if err := t.markAlive(); err != nil {
		os.RemoveAll(t.scratch)
		return nil, err
	}
	return t, nil
}

// logf prints progress on the log (standard error).
func (t *trial) logf(format string, args ...any) {
	fmt.Fprintf(t.log, "rofix try: "+format+"\n", args...)
}

// start copies the user's project directory into the scratch directory,
// writes the given compose files there (without published ports and
// container names), checks that no service writes outside the copy, and
// brings the project up under the name suffix.
func (t *trial) start(ctx context.Context, suffix string, files [][]byte) (*project, error) {
	return t.startWith(ctx, suffix, files, nil, nil)
}

// startWith is start with a compose file of the trial's own on top (over,
// when not nil: written as privFile) and only the services named in only
// brought up (with what they depend on; nil: all).
func (t *trial) startWith(ctx context.Context, suffix string, files [][]byte, over []byte, only []string) (*project, error) {
	pr := &project{name: projectPrefix + t.id + suffix, dir: filepath.Join(t.scratch, suffix)}
	if err := copyTree(t.p.Dir, pr.dir); err != nil {
		return nil, fmt.Errorf("copying %s: %v", t.p.Dir, err)
	}
	for i, f := range t.p.Files {
		out, err := ForTrial(files[i])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Join(t.p.Dir, f), err)
		}
		if err := os.WriteFile(filepath.Join(pr.dir, f), out, 0o644); err != nil {
			return nil, err
		}
		pr.files = append(pr.files, "-f", f)
	}
	if over != nil {
		if err := os.WriteFile(filepath.Join(pr.dir, privFile), over, 0o644); err != nil {
			return nil, err
		}
		pr.files = append(pr.files, "-f", privFile)
	}
	cfg, err := t.compose.output(ctx, pr.dir, append(slices.Clone(pr.files), "-p", pr.name, "config")...)
	if err != nil {
		return nil, err
	}
	if pr.services, err = configServices(cfg); err != nil {
		return nil, err
	}
	pr.config = cfg
	if !t.o.allowHostWrites {
		hw, err := hostWrites(cfg, pr.dir)
		if err != nil {
			return nil, err
		}
		if len(hw) > 0 {
			var b strings.Builder
			for _, w := range hw {
				fmt.Fprintf(&b, "\n  service %s mounts %s writable", w.Service, w.What)
			}
			return nil, fmt.Errorf("%w: the trial would let its containers write outside its copy of the project:%s\nmount them :ro, or give --allow-host-writes to run the trial anyway", errHostWrites, b.String())
		}
	}
	t.mu.Lock()
	t.projects = append(t.projects, pr)
	t.mu.Unlock()
	t.logf("starting %s (%s)", pr.name, t.compose)
	up := append(slices.Clone(pr.files), "-p", pr.name, "up", "-d", "--no-color")
	if _, err := t.compose.output(ctx, pr.dir, append(up, only...)...); err != nil {
		if ctx.Err() != nil {
			return pr, ctx.Err()
		}
		return pr, err
	}
	return pr, nil
}

// down removes a project: its containers, networks, volumes and the images
// compose built for it, then anything else carrying its label.
func (t *trial) down(pr *project) error {
	pr.downOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), composeTimeout)
		defer cancel()
		var errs []error
		if _, err := t.compose.output(ctx, pr.dir, append(slices.Clone(pr.files), "-p", pr.name, "down", "-v", "--remove-orphans", "--rmi", "local", "-t", "3")...); err != nil {
			errs = append(errs, err)
		}
		if err := t.sweepLabel(ctx, pr.name); err != nil {
			errs = append(errs, err)
		}
		pr.downErr = errors.Join(errs...)
	})
	return pr.downErr
}

// sweepLabel removes the containers, networks and volumes that carry the
// compose label of a project.
func (t *trial) sweepLabel(ctx context.Context, name string) error {
	var errs []error
	label := "label=" + learn.LabelProject + "=" + name
	for _, kind := range []struct{ ls, rm []string }{
		{[]string{"ps", "-a", "-q"}, []string{"rm", "-f", "-v"}},
		{[]string{"network", "ls", "-q"}, []string{"network", "rm"}},
		{[]string{"volume", "ls", "-q"}, []string{"volume", "rm", "-f"}},
	} {
		out, err := t.engine.Output(ctx, append(kind.ls, "--filter", label)...)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ids := strings.Fields(string(out)); len(ids) > 0 {
			if _, err := t.engine.Output(ctx, append(kind.rm, ids...)...); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// cleanup removes every project the trial created and its scratch
// directory; what it could not remove is printed.
func (t *trial) cleanup() {
	t.mu.Lock()
	projects := slices.Clone(t.projects)
	t.mu.Unlock()
	var wg sync.WaitGroup
	for _, pr := range projects {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := t.down(pr); err != nil {
				t.logf("removing project %s: %v", pr.name, err)
			}
		}()
	}
	wg.Wait()
	if err := os.RemoveAll(t.scratch); err != nil {
		t.logf("removing the scratch copy: %v", err)
	}
}

// logs returns the last lines a container printed, both streams.
func (t *trial) logs(ctx context.Context, id string, lines int) string {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, t.engine.CLI, "logs", "--tail", fmt.Sprint(lines), id)
	cmd.Env = t.engine.Env
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// hardened returns the compose files hardened with what was learned, and
// the config file that records it.
func (t *trial) hardened(learned []learn.Learned) (cfg []byte, files [][]byte, reasons map[string]string, err error) {
	cfg = t.cfgSrc
	for _, l := range learned {
		if cfg, _, err = learn.Record(cfg, l); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %v", t.cfgShown, err)
		}
	}
	pol := t.o.policy()
	if len(cfg) > 0 {
		c, err := config.Parse(t.cfgShown, cfg)
		if err != nil {
			return nil, nil, nil, err
		}
		pol = c.Apply(pol, false)
	}
	reasons = map[string]string{}
	for i, f := range t.p.Files {
		path := filepath.Join(t.p.Dir, f)
		res := cli.Harden(path, t.p.Src[i], pol)
		if res.Err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %v", path, res.Err)
		}
		files = append(files, res.Out)
		for _, fd := range res.Findings {
			if fd.Rule == "read-only" && !fd.Fixed && fd.Subject != nil && reasons[fd.Subject.Name] == "" {
				reasons[fd.Subject.Name] = fd.Message
			}
		}
	}
	return cfg, files, reasons, nil
}
