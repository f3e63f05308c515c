package trial

import (
	"context"
	"errors"
	"fmt"
	"os"

	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rofix/rofix/rewrite/cli"
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
	var downs sync.WaitGroup
	defer downs.Wait()
	downs.Add(1)
	go func() { defer downs.Done(); t.down(orig) }()

	// 3. Hardened runs, repaired.
	var cfg []byte
	var files [][]byte
	var results []ServiceReport
	for round := 1; ; round++ {
		var reasons map[string]string
		cfg, files, reasons, err = t.hardened(learned)
		if err != nil {
			return nil, err
		}
		hp, err := t.start(ctx, fmt.Sprintf("h%d", round), files)
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
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			props[i], errs[i] = learn.Learn(ctx, t.engine, id)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
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

// judge says whether a service ran hardened as it ran originally.
func (t *trial) judge(ctx context.Context, s string, base, o *Observation, reasons map[string]string, learned []learn.Learned) ServiceReport {
	sr := ServiceReport{Name: s, Original: base.State, State: o.State, Seconds: round1(o.Seconds)}
	sr.ReadOnly, sr.NoNewPrivs = len(o.Containers) > 0, len(o.Containers) > 0
	for _, c := range o.Containers {
		sr.ReadOnly = sr.ReadOnly && c.ReadOnly
		sr.NoNewPrivs = sr.NoNewPrivs && c.NoNewPrivs
		for _, p := range c.Tmpfs {
			if !contains(sr.Tmpfs, p) {
				sr.Tmpfs = append(sr.Tmpfs, p)
			}
		}
		for _, line := range ROLines(t.logs(ctx, c.ID, 200), 5) {
			if imageCodeOnly(line) {
				sr.Notes = append(sr.Notes, "a change to the image's own programs was refused, and it ran on: "+line)
			} else {
				sr.Logs = append(sr.Logs, line)
			}
		}
	}
	sr.Repairs = t.repairs[s]
	sort.Strings(sr.Tmpfs)
	for _, l := range learned {
		if l.Service == s {
			sr.Volumes = append(sr.Volumes, l.Volumes...)
		}
	}
	switch {
	case !o.OK || o.State != base.State:
		sr.Status = StatusFailed
		sr.Reason = fmt.Sprintf("%s hardened, %s as it is", o.State, base.State)
		if len(sr.Logs) == 0 {
			for _, c := range o.Containers {
				sr.Logs = append(sr.Logs, lastLines(t.logs(ctx, c.ID, 10), 10)...)
			}
		}
	case sr.ReadOnly && len(sr.Logs) > 0:
		sr.Status = StatusFailed
		sr.Reason = "it logs writes refused by the read-only root"
	case sr.ReadOnly:
		sr.Status = StatusProven
	default:
		sr.Status = StatusWithheld
		sr.Reason = reasons[s]
		for _, l := range learned {
			if l.Service == s && l.Conditions != "" {
				sr.Reason = l.Conditions
			}
		}
		if sr.Reason == "" {
			sr.Reason = "read-only was not added"
		}
	}
	return sr
}

// imageCodeOnly reports whether a read-only line names only paths where
// the image keeps its programs (a chown an install script tries on its
// own files): nothing can be mounted there, and the original run's change
// there was the image's business, not state.
func imageCodeOnly(line string) bool {
	paths := ROPaths([]string{line})
	for _, p := range paths {
		if !learn.IsImageCode(p) {
			return false
		}
	}
	return len(paths) > 0
}

// repair adds to what service s learned the paths its logs name as
// refused by the read-only root, or, when they name none rofix can
// mount, withholds read-only from it with the log lines as the reason. It
// reports whether anything changed.
func (t *trial) repair(ctx context.Context, s string, o *Observation, learned *[]learn.Learned, results []ServiceReport) bool {
	var sr *ServiceReport
	for i := range results {
		if results[i].Name == s {
			sr = &results[i]
		}
	}
	if sr == nil || !sr.ReadOnly || len(o.Containers) == 0 {
		return false // not read-only: nothing rofix can take back
	}
	l := serviceEntry(learned, s, t.source(time.Now().UTC().Format("2006-01-02")))
	c := o.Containers[0]
	kind := func(p string) pathKind {
		info, err := t.engine.Stat(ctx, c.ID, p)
		switch {
		case err != nil:
			return missing
		case info.Dir:
			return isDir
		}
		return isFile
	}
	changed := false
	for _, p := range ROPaths(sr.Logs) {
		if underAny(p, c.Mounts) {
			continue
		}
		dir := repairDir(p, kind)
		if dir == "/" || known(l, dir) {
			continue
		}
		if learn.IsStatePath(dir) {
			l.Volumes = append(l.Volumes, dir)
			t.repaired(s, "volume "+dir)
			changed = true
			continue
		}
		if kind(dir) == isDir && !learn.Volatile(dir) {
			if names, err := t.engine.List(ctx, c.ID, dir, nil, 3); err == nil && len(names) > 0 {
				l.NoTmpfs = append(l.NoTmpfs, dir)
				t.withhold(l, fmt.Sprintf("writes into %s, where the image ships %s: a tmpfs would hide them (keep a writable root, or mount a volume prepared with the image's files there)", dir, strings.Join(names, ", ")))
				t.repaired(s, "no tmpfs on "+dir+" (the image ships files there)")
				changed = true
				continue
			}
		}
		entry := dir
		if !t.engine.Podman() {
			if info, err := t.engine.Stat(ctx, c.ID, dir); err == nil {
				if opts := learn.TmpfsOptions(info); opts != "" {
					entry += ":" + opts
				}
			}
		}
		l.Tmpfs = append(l.Tmpfs, entry)
		t.repaired(s, "tmpfs "+entry)
		changed = true
	}
	if !changed && l.Verdict == "" {
		why := sr.Reason
		if line := tellingLine(sr.Logs); line != "" {
			why += ": " + line
		}
		t.withhold(l, "fails read-only in a trial ("+why+")")
		t.repaired(s, "read-only withheld")
		changed = true
	}
	if l.Verdict != "" {
		t.demote(learned, s)
	}
	return changed
}

// demote moves the image entry that holds what service s learned, if any,
// into entries per service of that image: s was withheld, and an image
// entry would tell every other use of the image that what just failed
// here works.
func (t *trial) demote(learned *[]learn.Learned, s string) {
	img := t.serviceImage[s]
	i := slices.IndexFunc(*learned, func(l learn.Learned) bool { return l.Service == "" && l.Image == img })
	if img == "" || i < 0 {
		return
	}
	shared := (*learned)[i]
	*learned = slices.Delete(*learned, i, i+1)
	var users []string
	for svc, im := range t.serviceImage {
		if im == img {
			users = append(users, svc)
		}
	}
	sort.Strings(users)
	for _, svc := range users {
		l := serviceEntry(learned, svc, strings.Join(shared.Sources, "; "))
		l.Image = img
		for _, p := range shared.Tmpfs {
			if !known(l, tmpfsTarget(p)) {
				l.Tmpfs = append(l.Tmpfs, p)
			}
		}
		for _, p := range shared.Volumes {
			if !contains(l.Volumes, p) {
				l.Volumes = append(l.Volumes, p)
			}
		}
		for _, p := range shared.ImageVolumes {
			if !contains(l.ImageVolumes, p) {
				l.ImageVolumes = append(l.ImageVolumes, p)
			}
		}
	}
}

// tmpfsTarget returns the path of a "PATH[:OPTIONS]" entry.
func tmpfsTarget(s string) string {
	p, _, _ := strings.Cut(s, ":")
	return p
}

// repaired records what a repair gave service s, for its report.
func (t *trial) repaired(s, what string) {
	if t.repairs == nil {
		t.repairs = map[string][]string{}
	}
	t.repairs[s] = append(t.repairs[s], what)
}

// telling matches a log line that says why a program stopped.
var telling = regexp.MustCompile(`(?i)\b(fatal|panic|denied|not permitted|cannot|can't|could not|unable|error|failed)\b`)

// tellingLine returns the log line that best says why a service failed:
// the first that reads like an error, else the last.
func tellingLine(lines []string) string {
	for _, l := range lines {
		if telling.MatchString(l) {
			return l
		}
	}
	if len(lines) > 0 {
		return lines[len(lines)-1]
	}
	return ""
}

// withhold sets verdict no on a learned entry, with the reason.
func (t *trial) withhold(l *learn.Learned, why string) {
	l.Verdict = "no"
	if l.Conditions == "" {
		l.Conditions = why
	} else if !strings.Contains(l.Conditions, why) {
		l.Conditions += "; " + why
	}
}

// serviceEntry returns the learned entry of service s, adding one.
func serviceEntry(learned *[]learn.Learned, s, source string) *learn.Learned {
	for i := range *learned {
		if (*learned)[i].Service == s {
			return &(*learned)[i]
		}
	}
	*learned = append(*learned, learn.Learned{Service: s, Sources: []string{source}})
	return &(*learned)[len(*learned)-1]
}

// known reports whether dir is already declared in l.
func known(l *learn.Learned, dir string) bool {
	for _, t := range l.Tmpfs {
		if p, _, _ := strings.Cut(t, ":"); p == dir {
			return true
		}
	}
	return contains(l.Volumes, dir) || contains(l.NoTmpfs, dir)
}

// underAny reports whether p lies at or below one of dirs.
func underAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, strings.TrimSuffix(d, "/")+"/") {
			return true
		}
	}
	return false
}

// write writes the hardened compose files and the config file, each only
// when it changes.
func (t *trial) write(rep *Report, cfg []byte, files [][]byte) error {
	if string(cfg) != string(t.cfgSrc) {
		var err error
		if t.cfgExists {
			err = cli.WriteFile(t.cfgPath, t.cfgSrc, cfg)
		} else {
			err = createFile(t.cfgPath, cfg)
		}
		if err != nil {
			return err
		}
		rep.Written = append(rep.Written, t.cfgShown)
	}
	for i, f := range t.p.Files {
		if string(files[i]) == string(t.p.Src[i]) {
			continue
		}
		if err := cli.WriteFile(filepath.Join(t.p.Dir, f), t.p.Src[i], files[i]); err != nil {
			return err
		}
		rep.Written = append(rep.Written, filepath.Join(filepath.Dir(t.p.Shown), f))
	}
	return nil
}

// createFile creates a new file atomically: it fails if path exists.
func createFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".rofix-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// A hard link fails where a rename would replace a file made meanwhile.
	if err := os.Link(tmp.Name(), path); err != nil {
		return err
	}
	return nil
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
