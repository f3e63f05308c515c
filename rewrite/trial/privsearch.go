package trial

// This file holds the privilege search of one service (rules non-root and
// cap-drop): which user it runs as and which capabilities it keeps after
// dropping ALL. It only decides what to try next and what a result means;
// privrounds.go runs the rounds, every searching service in each.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rofix/rofix/rewrite/policy"
)

// dockerDefaultCaps returns Docker's default capability set less NET_RAW, MKNOD
// and AUDIT_WRITE, which no search keeps unless a service is shown to need
// them (it never is: they are not tried). Podman 4's default
// (containers.conf default_capabilities) is read from the original
// containers' inspect instead.
func dockerDefaultCaps() []string { return without(policy.EngineDefaultCaps(), neverTried) }

// neverTried are the capabilities of an engine's default set a search
// starts without.
var neverTried = []string{"AUDIT_WRITE", "MKNOD", "NET_RAW"}

// rarelyNeeded are the capabilities few servers use: their removal is
// tried together first, so that a typical service loses them all in one
// round (split in halves when that fails). The others (CHOWN,
// DAC_OVERRIDE, KILL, NET_BIND_SERVICE, SETGID, SETUID: what a root
// entrypoint that drops privileges, binds a low port or signals its
// workers uses) are each usually needed, so each is tried alone.
var rarelyNeeded = []string{"FOWNER", "FSETID", "SETFCAP", "SETPCAP", "SYS_CHROOT"}

// A privTry is what one round runs a service with: cap_drop ALL when
// DropAll, Caps added back, and User when set.
type privTry struct {
	DropAll bool
	Caps    []string
	User    string
}

// key identifies a try, to reuse a result already seen.
func (p privTry) key() string {
	return fmt.Sprintf("%v|%s|%s", p.DropAll, strings.Join(p.Caps, ","), p.User)
}

// A privOutcome is how a service did in a round: OK when it reached its
// original state with a read-only root as before, else the state it
// reached and the log line that tells why.
type privOutcome struct {
	OK    bool
	State string
	Line  string
}

// why renders a failed outcome as evidence.
func (o privOutcome) why() string {
	if o.Line == "" {
		return o.State
	}
	return o.State + ": " + o.Line
}

// A privSearch is the search of one service.
type privSearch struct {
	Service string

	// What it starts from.
	doUser, doCaps bool
	// Candidate is the non-root user ("UID:GID") to try, and From where
	// it comes from (the knowledge, the owner of a path it wrote); "" when
	// there is none.
	Candidate, From string
	// KnownNeedsRoot is the knowledge's needs_root: no user round.
	KnownNeedsRoot string
	// KnownCaps are the knowledge's caps (nil: unknown), tried first.
	KnownCaps []string
	// Default is the engine's default set less neverTried, sorted.
	Default []string

	// What it found.
	RunAs     string // proven non-root user
	NeedsRoot string // why it must start as root ("" when not searched)
	// CapsFound is set when a capability set was proven: Caps (empty:
	// none) is it, Removed what was tried away, Needed why each of Caps
	// stays (the outcome of the round without it).
	CapsFound bool
	Caps      []string
	Removed   []string
	Needed    map[string]string
	// NoCapDrop says why the service keeps the engine's capabilities (it
	// fails even with Default).
	NoCapDrop string
	// Rounds counts the rounds the service ran in.
	Rounds int

	step    int      // stepUser, stepFirst, stepRemove, stepDone
	current []string // the set removals start from
	proven  bool     // current ran proven in a round
	// confirming is set once the default set itself was queued.
	confirming bool
	queue      [][]string // groups to try removing, in order ([]: current itself)
	seen       map[string]privOutcome
	pending    privTry
}

// The steps of a search, in order.
const (
	stepUser = iota
	stepFirst
	stepRemove
	stepDone
)

// newPrivSearch starts the search of a service from its inputs (doUser,
// doCaps, Candidate, From, KnownNeedsRoot, KnownCaps, Default): a user
// round when non-root is searched and there is a candidate, then the
// capability search when cap-drop is and the user round failed.
func newPrivSearch(s privSearch) *privSearch {
	p := &s
	p.seen = map[string]privOutcome{}
	p.Needed = map[string]string{}
	p.Default = sortedCaps(p.Default)
	if p.KnownCaps != nil {
		p.KnownCaps = sortedCaps(p.KnownCaps)
	}
	switch {
	case !p.doUser:
	case p.KnownNeedsRoot != "":
		p.NeedsRoot = p.KnownNeedsRoot
		p.doUser = false
	case p.Candidate == "":
		p.NeedsRoot = "no non-root user found: it wrote nothing owned by one, and rofix knows none for its image"
		p.doUser = false
	}
	if !p.doUser {
		p.step = stepFirst
	}
	if !p.doUser && !p.doCaps {
		p.step = stepDone
	}
	return p
}

// done reports whether the search is over.
func (p *privSearch) done() bool { return p.step == stepDone }

// next returns what to run the service with in the next round, or false
// when the search is over. A try whose outcome is already known (the set
// equals one tried before) is not run again: its outcome is recorded and
// the search moves on.
func (p *privSearch) next() (privTry, bool) {
	for p.step != stepDone {
		try, ok := p.propose()
		if !ok {
			continue
		}
		if o, seen := p.seen[try.key()]; seen {
			p.pending = try
			p.advance(o)
			continue
		}
		p.pending = try
		return try, true
	}
	return privTry{}, false
}

// record takes the outcome of the round run with the try next returned.
func (p *privSearch) record(o privOutcome) {
	p.Rounds++
	p.seen[p.pending.key()] = o
	p.advance(o)
}

// propose returns the try of the current step; false when the step
// changed without one (then propose again).
func (p *privSearch) propose() (privTry, bool) {
	switch p.step {
	case stepUser:
		return privTry{DropAll: p.doCaps, Caps: []string{}, User: p.Candidate}, true
	case stepFirst:
		if !p.doCaps {
			p.step = stepDone
			return privTry{}, false
		}
		caps := p.KnownCaps
		if caps == nil {
			caps = []string{}
		}
		return privTry{DropAll: true, Caps: caps}, true
	case stepRemove:
		if len(p.queue) == 0 && !p.proven {
			p.queue = [][]string{{}} // the set itself, never tried
			return privTry{}, false
		}
		if len(p.queue) == 0 {
			p.CapsFound, p.Caps = true, p.current
			p.step = stepDone
			return privTry{}, false
		}
		if len(p.queue[0]) == 0 && p.proven {
			p.queue = p.queue[1:]
			return privTry{}, false
		}
		return privTry{DropAll: true, Caps: without(p.current, p.queue[0])}, true
	}
	return privTry{}, false
}

// advance moves the search on with the outcome of the pending try.
func (p *privSearch) advance(o privOutcome) {
	switch p.step {
	case stepUser:
		if o.OK {
			p.RunAs = p.Candidate
			if p.doCaps {
				// A non-root process under no-new-privileges gains no
				// capability: it runs with none.
				p.CapsFound, p.Caps = true, []string{}
			}
			p.step = stepDone
			return
		}
		p.NeedsRoot = fmt.Sprintf("fails as %s (%s): %s", p.Candidate, p.From, o.why())
		p.step = stepFirst
	case stepFirst:
		if o.OK {
			p.CapsFound, p.Caps = true, p.pending.Caps
			p.Removed = without(p.Default, p.Caps)
			for _, c := range p.Caps {
				p.Needed[c] = "rofix knows the image needs it; the service ran with it"
			}
			p.step = stepDone
			return
		}
		// Start from the default set: the first removal takes away the
		// rarely needed ones together (split in halves when that fails),
		// then each other one alone. The default set itself is tried only
		// when no removal works: a set that works makes every set that
		// holds it work too, so a removal that fails from a set holding
		// one that works shows the capability needed.
		p.step = stepRemove
		p.current = p.Default
		var rare []string
		p.queue = nil
		for _, c := range p.Default {
			if slices.Contains(rarelyNeeded, c) {
				rare = append(rare, c)
			} else {
				p.queue = append(p.queue, []string{c})
			}
		}
		if len(rare) > 0 {
			p.queue = append([][]string{rare}, p.queue...)
		}
	case stepRemove:
		g := p.queue[0]
		p.queue = p.queue[1:]
		switch {
		case o.OK:
			p.current = without(p.current, g)
			p.Removed = sortedCaps(append(p.Removed, g...))
			p.proven = true
		case len(g) == 0:
			// The default set itself fails.
			p.NoCapDrop = "fails even with the engine's default capabilities less " + strings.Join(neverTried, ", ") + ": " + o.why()
			p.Needed = map[string]string{}
			p.Removed = nil
			p.step = stepDone
		case len(g) == 1:
			p.Needed[g[0]] = o.why()
		default:
			p.queue = append(halves(g), p.queue...)
		}
		if !o.OK && !p.proven && !p.confirming {
			// The first removal failed: the default set itself is tried
			// next, so that a service that fails with it does not go
			// through every removal first.
			p.confirming = true
			p.queue = append([][]string{{}}, p.queue...)
		}
	}
}

// halves splits a group in two, the first half the larger.
func halves(g []string) [][]string {
	m := (len(g) + 1) / 2
	return [][]string{g[:m:m], g[m:]}
}

// without returns set less the capabilities in drop, as a new slice.
func without(set, drop []string) []string {
	out := []string{}
	for _, c := range set {
		if !slices.Contains(drop, c) {
			out = append(out, c)
		}
	}
	return out
}

// sortedCaps returns caps canonical (upper case, no CAP_ prefix), sorted,
// without duplicates.
func sortedCaps(caps []string) []string {
	out := []string{}
	for _, c := range caps {
		c = policy.CanonicalCap(c)
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// A roundFunc runs one round: every service in tries, each with its try,
// all in one project, and returns how each did.
type roundFunc func(round int, tries map[string]privTry) (map[string]privOutcome, error)

// searchPrivileges runs the searches to their end, one round at a time,
// every search that has a try in each round, at most max rounds. It
// returns the rounds run; searches still going when max is reached are
// left unfinished (done reports false).
func searchPrivileges(searches []*privSearch, max int, run roundFunc) (int, error) {
	rounds := 0
	for rounds < max {
		tries := map[string]privTry{}
		for _, s := range searches {
			if try, ok := s.next(); ok {
				tries[s.Service] = try
			}
		}
		if len(tries) == 0 {
			break
		}
		rounds++
		out, err := run(rounds, tries)
		if err != nil {
			return rounds, err
		}
		for _, s := range searches {
			if _, ok := tries[s.Service]; ok {
				o, ok := out[s.Service]
				if !ok {
					o = privOutcome{State: stateNotThere}
				}
				s.record(o)
			}
		}
	}
	return rounds, nil
}
