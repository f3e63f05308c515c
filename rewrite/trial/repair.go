package trial

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rofix/rofix/rewrite/learn"
)

// roLine matches a log line that reports a write refused by a read-only
// filesystem: the kernel's message, as C libraries, Go, Python, Java and
// Node spell it, and the errno's name.
// It and the other patterns of this file are compiled on first use, not
// when rofix starts: every run links this package, few run a trial.
var roLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)read-only file ?system|\bEROFS\b`)
})

// absPath matches an absolute path in a log line.
var absPath = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[\s'"` + "`" + `(\[=:,])(/[A-Za-z0-9._@+%~-][A-Za-z0-9._@+%~/-]*)`)
})

// ROLines returns the lines of logs that report a read-only filesystem,
// at most max, without duplicates.
func ROLines(logs string, max int) []string {
	var out []string
	for line := range strings.Lines(logs) {
		line = strings.TrimSpace(line)
		if roLine().MatchString(line) && !slices.Contains(out, line) {
			out = append(out, line)
			if len(out) == max {
				break
			}
		}
	}
	return out
}

// ROPaths returns the absolute paths the read-only lines name, in the
// order they appear, cleaned, without duplicates. A line naming several
// paths (a rename, a copy) gives all of them.
func ROPaths(lines []string) []string {
	var out []string
	for _, line := range lines {
		for _, m := range absPath().FindAllStringSubmatch(line, -1) {
			p := path.Clean(strings.TrimRight(m[1], ".:,;"))
			if p != "/" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// A pathKind is what a path named in a log is in the image.
type pathKind int

const (
	missing pathKind = iota
	isDir
	isFile
)

// repairDir returns the directory to mount for a write refused at p: p
// itself when the image has it as a directory, its directory when it is a
// file, and for a path the image lacks, the topmost missing directory on
// the way to it (the engine creates a mount point there, and everything
// the app makes below it lands on the mount). kind tells what a path is in
// the image.
func repairDir(p string, kind func(string) pathKind) string {
	switch kind(p) {
	case isDir:
		return p
	case isFile:
		return path.Dir(p)
	}
	top := p
	for d := path.Dir(p); d != "/"; d = path.Dir(d) {
		if kind(d) != missing {
			break
		}
		top = d
	}
	// A name without a dot, or a dot-directory of a home (.cache, .npm),
	// is a directory the app makes.
	if top == p && !strings.Contains(strings.TrimPrefix(path.Base(p), "."), ".") {
		return p
	}
	if top == p {
		// a file the app creates in a directory that exists
		return path.Dir(p)
	}
	return top
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
			if !slices.Contains(l.Volumes, p) {
				l.Volumes = append(l.Volumes, p)
			}
		}
		for _, p := range shared.ImageVolumes {
			if !slices.Contains(l.ImageVolumes, p) {
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
var telling = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b(fatal|panic|denied|not permitted|cannot|can't|could not|unable|error|failed)\b`)
})

// tellingLine returns the log line that best says why a service failed:
// the first that reads like an error, else the last.
func tellingLine(lines []string) string {
	for _, l := range lines {
		if telling().MatchString(l) {
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
	return slices.Contains(l.Volumes, dir) || slices.Contains(l.NoTmpfs, dir)
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
