package trial

// This file runs the privilege search's rounds (rules non-root and
// cap-drop) on the engine: each round brings up, from a clean slate, the
// hardened project with a compose file of the trial's own on top that sets
// each searching service's user and capabilities, and judges each service
// as the hardened rounds do.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/learn"
)

// maxPrivRounds bounds the rounds of the privilege search.
const maxPrivRounds = 20

// privFile names the compose file a privilege round adds on top of the
// project's in the scratch copy.
const privFile = ".rofix-try-privileges.yaml"

// A filePriv is what the compose file itself says of a service's
// privileges (compose's resolved configuration).
type filePriv struct {
	User       string
	Caps       bool // cap_add or cap_drop set
	Privileged bool
}

// filePrivileges reads the user, capabilities and privileged mode of each
// service from the configuration compose resolved.
func filePrivileges(config []byte) (map[string]filePriv, error) {
	var cfg struct {
		Services map[string]struct {
			User       yaml.Node `yaml:"user"`
			CapAdd     []string  `yaml:"cap_add"`
			CapDrop    []string  `yaml:"cap_drop"`
			Privileged bool      `yaml:"privileged"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(config, &cfg); err != nil {
		return nil, fmt.Errorf("reading compose config: %v", err)
	}
	out := map[string]filePriv{}
	for name, s := range cfg.Services {
		out[name] = filePriv{User: s.User.Value, Caps: len(s.CapAdd)+len(s.CapDrop) > 0, Privileged: s.Privileged}
	}
	return out, nil
}

// isRoot reports whether a user as compose or an image states it is root
// ("" is the image's default, not root by itself).
func isRoot(user string) bool {
	name, _, _ := strings.Cut(user, ":")
	return name == "0" || name == "root"
}

// privOverride renders the compose file a round adds: per service,
// cap_drop ALL, the capabilities added back, and the user. version is
// the main file's version key, repeated (docker-compose 1 refuses files of
// different versions), or "".
func privOverride(version string, tries map[string]privTry) []byte {
	var b strings.Builder
	if version != "" {
		fmt.Fprintf(&b, "version: %s\n", strconv.Quote(version))
	}
	b.WriteString("services:\n")
	names := make([]string, 0, len(tries))
	for s := range tries {
		names = append(names, s)
	}
	sort.Strings(names)
	for _, s := range names {
		try := tries[s]
		if !try.DropAll && try.User == "" {
			fmt.Fprintf(&b, "  %s: {}\n", strconv.Quote(s))
			continue
		}
		fmt.Fprintf(&b, "  %s:\n", strconv.Quote(s))
		if try.DropAll {
			b.WriteString("    cap_drop: [ALL]\n")
			if len(try.Caps) > 0 {
				fmt.Fprintf(&b, "    cap_add: [%s]\n", strings.Join(try.Caps, ", "))
			}
		}
		if try.User != "" {
			fmt.Fprintf(&b, "    user: %s\n", strconv.Quote(try.User))
		}
	}
	return []byte(b.String())
}

// composeVersion returns the top-level version of a compose file, or "".
func composeVersion(src []byte) string {
	var f struct {
		Version string `yaml:"version"`
	}
	if yaml.Unmarshal(src, &f) != nil {
		return ""
	}
	return f.Version
}

// privRound runs round n of the privilege search: the hardened project
// (files) with each service of tries set as its try; only those services
// (and what they depend on) are started. Each is judged against its
// original run and the status it had hardened (want).
func (t *trial) privRound(ctx context.Context, n int, files [][]byte, base map[string]*Observation, want map[string]string, learned []learn.Learned, tries map[string]privTry) (map[string]privOutcome, error) {
	names := make([]string, 0, len(tries))
	for s := range tries {
		names = append(names, s)
	}
	sort.Strings(names)
	pr, err := t.startWith(ctx, fmt.Sprintf("p%d", n), files, privOverride(composeVersion(t.p.Src[0]), tries), names)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, errInterrupted
		}
		return nil, fmt.Errorf("running privilege round %d: %v", n, err)
	}
	defer func() { go t.down(pr) }()
	obs, err := t.watch(ctx, pr.name, names, t.settle)
	if err != nil && ctx.Err() == nil {
		return nil, err
	}
	if ctx.Err() != nil {
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, errInterrupted
		}
		return nil, fmt.Errorf("the trial did not finish within --timeout %s: privilege round %d", t.o.timeout, n)
	}
	out := map[string]privOutcome{}
	for _, s := range names {
		sr := t.judge(ctx, s, base[s], obs[s], nil, learned)
		o := privOutcome{OK: sr.Status == want[s], State: sr.State}
		var logs []string
		for _, c := range obs[s].Containers {
			logs = append(logs, lastLines(t.logs(ctx, c.ID, 300), 300)...)
		}
		fresh := newLines(logs, t.baseLogs[s])
		lost := lostUsers(t.baseUsers[s], t.processUsers(ctx, obs[s].Containers), tries[s].User != "")
		switch {
		case !o.OK:
			if o.Line = tellingLine(fresh); o.Line == "" {
				o.Line = tellingLine(sr.Logs)
			}
		case len(lost) > 0:
			// Its processes no longer run as a user they ran as: a
			// worker that could not switch to it (and logs that in a
			// file of its own, not on the engine's log).
			o.OK, o.State = false, sr.State+" but no process runs as "+strings.Join(lost, ", ")+" as it did as it is"
			o.Line = refusedLine(fresh)
		case refusedLine(fresh) != "":
			// It reached its state, but something in it was refused
			// that was not as it is (a worker that cannot switch to its
			// user, a file it cannot open): not proven.
			o.OK, o.State, o.Line = false, sr.State+" but refused an operation", refusedLine(fresh)
		}
		out[s] = o
	}
	return out, nil
}

// processUsers returns the users the processes of running containers run
// as, as the engine's top names them (sorted, once each; nil when top
// fails or none runs).
func (t *trial) processUsers(ctx context.Context, cs []container) []string {
	var users []string
	for _, c := range cs {
		if c.Status != "running" {
			continue
		}
		out, err := t.engine.Output(ctx, "top", c.ID)
		if err != nil {
			return nil
		}
		for _, u := range topUsers(string(out)) {
			if !slices.Contains(users, u) {
				users = append(users, u)
			}
		}
	}
	sort.Strings(users)
	return users
}

// topUsers reads the user column of what "docker top" (UID) or "podman
// top" (USER) prints.
func topUsers(out string) []string {
	var users []string
	col := -1
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		if col < 0 {
			col = max(slices.Index(f, "UID"), slices.Index(f, "USER"))
			if col < 0 {
				return nil
			}
			continue
		}
		if col < len(f) && !slices.Contains(users, f[col]) {
			users = append(users, f[col])
		}
	}
	return users
}

// lostUsers returns the users of base that now lacks (nil when now is
// unknown); root aside when the round ran the service as another user.
func lostUsers(base, now []string, asUser bool) []string {
	if now == nil {
		return nil
	}
	var out []string
	for _, u := range base {
		if asUser && (u == "root" || u == "0") {
			continue
		}
		if !slices.Contains(now, u) {
			out = append(out, u)
		}
	}
	return out
}

// refused matches a log line that reports an operation refused for lack
// of a privilege.
var refused = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)operation not permitted|permission denied|\bEPERM\b|\bEACCES\b|unable to set (user|group)|failed to (assume|drop|set)`)
})

// refusedLine returns the first line of lines that reports a refused
// operation, or "". A refusal that names only paths where the image keeps
// its programs (an install script's chown under /usr) is not counted: the
// read-only root refuses it anyway.
func refusedLine(lines []string) string {
	for _, l := range lines {
		if refused().MatchString(l) && !imageCodeOnly(l) {
			return l
		}
	}
	return ""
}

// volatile matches what changes from one run of a program to the next in
// a log line: numbers, hexadecimal ids, times.
var volatile = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\b[0-9a-fA-F]*[0-9][0-9a-fA-F]*\b`)
})

// shape returns a log line with what changes between runs masked.
func shape(line string) string { return volatile().ReplaceAllString(line, "#") }

// newLines returns the lines of logs whose shape is not among the lines
// of the original run (base), in order. A line that holds one of base's,
// or is held in one (two streams' lines run together, a line cut short),
// is not new.
func newLines(logs, base []string) []string {
	seen := map[string]bool{}
	var shapes []string
	for _, l := range base {
		if sh := shape(l); !seen[sh] {
			seen[sh] = true
			shapes = append(shapes, sh)
		}
	}
	var out []string
	for _, l := range logs {
		sh := shape(l)
		if seen[sh] || len(sh) >= minOverlap && slices.ContainsFunc(shapes, func(b string) bool {
			return len(b) >= minOverlap && (strings.Contains(b, sh) || strings.Contains(sh, b))
		}) {
			continue
		}
		out = append(out, l)
	}
	return out
}

// minOverlap is the shortest line shape newLines finds inside another.
const minOverlap = 16

// A candidate is a non-root user to try a service as, and where it comes
// from.
type candidate struct{ user, from string }

// ownerCandidate returns the non-root user ("UID:GID") that owns most of
// what a container wrote (the files its changes name, at most a few per
// path learned) and of its volumes, and the path that shows it; "" when
// root owns all of them.
func ownerCandidate(pr learn.Proposal, stat learn.StatFunc) (user, from string) {
	var paths []string
	for _, d := range pr.Decls {
		n := 0
		for _, c := range d.Evidence {
			if c.Kind != 'D' && n < 3 {
				paths = append(paths, c.Path)
				n++
			}
		}
	}
	for _, m := range pr.Container.Mounts {
		if m.Type == "volume" {
			paths = append(paths, m.Destination)
		}
	}
	count := map[string]int{}
	first := map[string]string{}
	var order []string
	for _, p := range paths {
		info, err := stat(p)
		if err != nil || info.UID == 0 {
			continue
		}
		u := fmt.Sprintf("%d:%d", info.UID, info.GID)
		if count[u] == 0 {
			order = append(order, u)
			first[u] = p
		}
		count[u]++
	}
	if len(order) == 0 {
		return "", ""
	}
	best := order[0]
	for _, u := range order[1:] {
		if count[u] > count[best] {
			best = u
		}
	}
	return best, "owner of " + first[best] + ", which it wrote"
}

// capsOf returns the capability names of a podman inspect's EffectiveCaps
// list, canonical, less neverTried; nil when there are none (docker).
func capsOf(effective []string) []string {
	if len(effective) == 0 {
		return nil
	}
	var out []string
	for _, c := range sortedCaps(effective) {
		if !slices.Contains(neverTried, c) {
			out = append(out, c)
		}
	}
	return out
}
