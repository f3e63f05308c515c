package trial

import (
	"context"
	"errors"
	"fmt"

	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rofix/rofix/rewrite/learn"
	"github.com/rofix/rofix/rewrite/policy"
)

// errInterrupted ends a trial stopped by a signal.
var errInterrupted = errors.New("interrupted; everything the trial created was removed")

// run runs the trial: the original, learning, hardened rounds with
// repairs, and -w. It returns the report, or an error when there is none.
func (t *trial) run(ctx context.Context) (*Report, error) {
	begin := time.Now()
	rep := &Report{
		File:    t.p.Shown,
		Engine:  t.engineVersion(ctx),
		Compose: t.compose.String() + " " + t.compose.Version(ctx),
		Settle:  t.settle.Seconds(),
	}
	stopped := func(err error) error {
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return fmt.Errorf("the trial did not finish within --timeout %s: %v", t.o.timeout, err)
		case ctx.Err() != nil:
			return errInterrupted
		}
		return err
	}

	// What killed trials left behind goes first.
	for _, name := range t.sweepStale(ctx) {
		t.logf("removed project %s, left on the engine by a trial that was killed", name)
	}

	// 1. The project as it is.
	orig, err := t.start(ctx, "o", t.p.Src)
	if err != nil {
		return nil, stopped(fmt.Errorf("running the project as it is: %v", err))
	}
	if t.filePriv, err = filePrivileges(orig.config); err != nil {
		return nil, err
	}
	base, err := t.watch(ctx, orig.name, nil, 0)
	if err != nil && ctx.Err() == nil {
		return nil, err
	}
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, errInterrupted
	}
	services := make([]string, 0, len(base))
	for s := range base {
		services = append(services, s)
	}
	sort.Strings(services)
	if len(services) == 0 {
		return nil, errors.New("the project started no containers")
	}
	for _, s := range orig.services {
		if base[s] == nil {
			rep.NotRun = append(rep.NotRun, s)
		}
	}
	var failed bool
	for _, s := range services {
		if !base[s].OK {
			failed = true
		}
	}
	if failed {
		rep.Outcome = "the project does not come up as it is: nothing was hardened"
		for _, s := range services {
			sr := ServiceReport{Name: s, Original: base[s].State, Status: StatusRanOriginally}
			if !base[s].OK {
				sr.Status = StatusFailedOriginally
				for _, c := range base[s].Containers {
					sr.Logs = append(sr.Logs, lastLines(t.logs(context.Background(), c.ID, 20), 20)...)
				}
			}
			rep.Services = append(rep.Services, sr)
		}
		rep.Seconds = time.Since(begin).Seconds()
		return rep, nil
	}
	t.logf("%d services up as they are; learning what they write", len(services))

	// 2. What each service writes.
	learned, err := t.learn(ctx, base)
	if err != nil {
		return nil, stopped(err)
	}
	if t.privOn() {
		// What the privilege rounds are compared with.
		t.baseLogs, t.baseUsers = map[string][]string{}, map[string][]string{}
		for _, s := range services {
			t.baseUsers[s] = t.processUsers(ctx, base[s].Containers)
			for _, c := range base[s].Containers {
				t.baseLogs[s] = append(t.baseLogs[s], lastLines(t.logs(ctx, c.ID, 300), 300)...)
			}
		}
	}
	var downs sync.WaitGroup
	defer downs.Wait()
	downs.Add(1)
	go func() { defer downs.Done(); t.down(orig) }()

	// 3. Hardened runs, repaired.
	var cfg []byte
	var files [][]byte
	var results []ServiceReport
	var hp *project
	for round := 1; ; round++ {
		var reasons map[string]string
		cfg, files, reasons, err = t.hardened(learned)
		if err != nil {
			return nil, err
		}
		hp, err = t.start(ctx, fmt.Sprintf("h%d", round), files)
		if err != nil {
			return nil, stopped(fmt.Errorf("running the hardened project: %v", err))
		}
		obs, err := t.watch(ctx, hp.name, services, t.settle)
		if err != nil && ctx.Err() == nil {
			return nil, err
		}
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, errInterrupted
		}
		rep.Rounds = round
		results = results[:0]
		var failing []string
		for _, s := range services {
			sr := t.judge(ctx, s, base[s], obs[s], reasons, learned)
			if sr.Status == StatusFailed {
				failing = append(failing, s)
			}
			results = append(results, sr)
		}
		if len(failing) == 0 || round == maxRounds || ctx.Err() != nil {
			break
		}
		changed := false
		for _, s := range failing {
			if t.repair(ctx, s, obs[s], &learned, results) {
				changed = true
			}
		}
		if !changed {
			break
		}
		t.logf("round %d: %s failed hardened; trying again with what their logs name", round, strings.Join(failing, ", "))
		downs.Add(1)
		go func() { defer downs.Done(); t.down(hp) }()
	}
	rep.Services = results

	// 4. Privileges (the opt-in rules non-root and cap-drop): per
	// service, its user and capabilities, searched in rounds; then the
	// file as written with what was found, run once more as the proof.
	if rep.OK() && ctx.Err() == nil {
		n, err := t.privileges(ctx, cfg, files, base, results, &learned)
		if err != nil {
			return nil, stopped(err)
		}
		if n > 0 {
			downs.Add(1)
			go func() { defer downs.Done(); t.down(hp) }()
			if cfg, files, results, err = t.proveWritten(ctx, learned, base, services, results); err != nil {
				return nil, stopped(err)
			}
			rep.PrivRounds = n + 1
			rep.Services = results
		}
	}
	rep.Seconds = time.Since(begin).Seconds()
	rep.setChanges(t, cfg, files)
	if !rep.OK() {
		rep.Outcome = "some services do not run hardened: nothing was written"
		return rep, nil
	}
	if t.o.write {
		if err := t.write(rep, cfg, files); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// engineVersion names the engine and its server version ("Docker 28.2.2",
// "Podman 4.3.1").
func (t *trial) engineVersion(ctx context.Context) string {
	out, err := t.engine.Output(ctx, "version", "--format", "{{.Server.Version}}")
	v := strings.TrimSpace(string(out))
	if err != nil || v == "" {
		out, err = t.engine.Output(ctx, "version", "--format", "{{.Version}}")
		v = strings.TrimSpace(string(out))
		if err != nil {
			v = "unknown"
		}
	}
	if t.engine.Podman() {
		return "Podman " + v
	}
	return "Docker " + v
}

// learn asks the engine what each container of the original wrote, and
// merges it per service (learn.Collect).
func (t *trial) learn(ctx context.Context, base map[string]*Observation) ([]learn.Learned, error) {
	var ids []string
	for _, o := range base {
		for _, c := range o.Containers {
			ids = append(ids, c.ID)
		}
	}
	sort.Strings(ids)
	props := make([]learn.Proposal, len(ids))
	owners := make([]candidate, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			props[i], errs[i] = learn.Learn(ctx, t.engine, id)
			if errs[i] == nil {
				owners[i].user, owners[i].from = ownerCandidate(props[i], func(p string) (learn.Info, error) { return t.engine.Stat(ctx, id, p) })
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	t.imageUser, t.candidates = map[string]string{}, map[string]candidate{}
	for i, pr := range props {
		s := pr.Container.Service
		if _, seen := t.candidates[s]; !seen || t.candidates[s].user == "" {
			t.candidates[s] = owners[i]
		}
		t.imageUser[s] = pr.Container.User
	}
	sort.SliceStable(props, func(i, j int) bool { return props[i].Container.Service < props[j].Container.Service })
	t.serviceImage = map[string]string{}
	for _, pr := range props {
		t.serviceImage[pr.Container.Service] = policy.NormalizeImage(pr.Container.Image)
	}
	date := time.Now().UTC().Format("2006-01-02")
	learned := learn.Collect(props, t.engine.Name, date)
	for i := range learned {
		learned[i].Sources = []string{t.source(date)}
	}
	return learned, nil
}

// source is the sources entry of what this trial learned.
func (t *trial) source(date string) string {
	return fmt.Sprintf("rofix try on %s (%s diff)", date, t.engine.Name)
}

// lastLines returns the last n non-empty lines of s.
func lastLines(s string, n int) []string {
	var lines []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

func round1(x float64) float64 { return float64(int(x*10+0.5)) / 10 }
