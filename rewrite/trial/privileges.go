package trial

// This file runs the privilege search of a trial (the opt-in rules
// non-root and cap-drop) over the services that ran hardened, and records
// what it found.

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/rofix/rofix/rewrite/config"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/learn"
	"github.com/rofix/rofix/rewrite/policy"
)

// policyFor returns the policy a config file's content gives (the trial's
// flags, then the file's settings).
func (t *trial) policyFor(cfg []byte) (policy.Policy, error) {
	pol := t.o.policy()
	if len(cfg) > 0 {
		c, err := config.Parse(t.cfgShown, cfg)
		if err != nil {
			return pol, err
		}
		pol = c.Apply(pol, false)
	}
	return pol, nil
}

// privOn reports whether the flags or the governing config file switch
// on non-root or cap-drop.
func (t *trial) privOn() bool {
	pol, err := t.policyFor(t.cfgSrc)
	return err == nil && (pol.RuleOn(finding.NonRoot) || pol.RuleOn(finding.CapDrop))
}

// privileges searches, for each service that ran hardened, the user it
// runs as (non-root) and the capabilities it keeps (cap-drop), in rounds
// of the hardened project (files), and records what it found in learned
// and the services' reports. It returns the rounds it ran.
func (t *trial) privileges(ctx context.Context, cfg []byte, files [][]byte, base map[string]*Observation, results []ServiceReport, learned *[]learn.Learned) (int, error) {
	pol, err := t.policyFor(cfg)
	if err != nil {
		return 0, err
	}
	doUser, doCaps := pol.RuleOn(finding.NonRoot), pol.RuleOn(finding.CapDrop)
	if !doUser && !doCaps {
		return 0, nil
	}
	want := map[string]string{}
	var searches []*privSearch
	knows := map[string]policy.Needs{}
	for i := range results {
		sr := &results[i]
		if sr.Status != StatusProven && sr.Status != StatusWithheld {
			continue
		}
		s := sr.Name
		fp := t.filePriv[s]
		if fp.Privileged {
			sr.PrivNotes = append(sr.PrivNotes, "privileged in the file: its user and capabilities are left alone")
			continue
		}
		n := pol.NeedsFor(s, t.serviceImage[s])
		knows[s] = n
		in := privSearch{Service: s, doCaps: doCaps && !fp.Caps, doUser: doUser}
		user := fp.User
		if user == "" {
			user = t.imageUser[s]
		}
		switch {
		case fp.User != "":
			in.doUser = false
			sr.PrivNotes = append(sr.PrivNotes, fmt.Sprintf("user %s set in the file: kept", fp.User))
		case user != "" && !isRoot(user):
			in.doUser = false
			sr.PrivNotes = append(sr.PrivNotes, fmt.Sprintf("runs as its image's own user %s", user))
		case n.RunAs != "":
			in.Candidate, in.From = n.RunAs, "run_as known for its image"
		case n.NeedsRoot != "":
			in.KnownNeedsRoot = n.NeedsRoot
		default:
			in.Candidate, in.From = t.candidates[s].user, t.candidates[s].from
		}
		if fp.Caps {
			sr.PrivNotes = append(sr.PrivNotes, "cap_add/cap_drop set in the file: kept")
		}
		if n.CapsKnown {
			in.KnownCaps = n.Caps
		}
		in.Default = dockerDefaultCaps()
		if len(base[s].Containers) > 0 {
			if caps := capsOf(base[s].Containers[0].EffectiveCaps); caps != nil {
				in.Default = caps
			}
		}
		want[s] = sr.Status
		searches = append(searches, newPrivSearch(in))
	}
	sort.Slice(searches, func(i, j int) bool { return searches[i].Service < searches[j].Service })
	rounds, err := searchPrivileges(searches, maxPrivRounds, func(n int, tries map[string]privTry) (map[string]privOutcome, error) {
		t.logf("privilege round %d: %s", n, describeTries(tries))
		return t.privRound(ctx, n, files, base, want, *learned, tries)
	})
	if err != nil {
		return rounds, err
	}
	source := t.source(time.Now().UTC().Format("2006-01-02"))
	for _, ps := range searches {
		s := ps.Service
		sr := &results[indexOf(results, s)]
		sr.PrivRounds = ps.Rounds
		n := knows[s]
		var found learn.Learned
		switch {
		case ps.RunAs != "":
			sr.RunAs = ps.RunAs
			if n.RunAs != ps.RunAs {
				found.RunAs = ps.RunAs
			}
		case ps.NeedsRoot != "":
			sr.NeedsRoot = ps.NeedsRoot
			// Recorded only when a user was tried and failed: "no user
			// found" is no fact of the image.
			if ps.Candidate != "" && n.NeedsRoot == "" && n.RunAs == "" {
				found.NeedsRoot = ps.NeedsRoot
			}
		}
		switch {
		case ps.CapsFound:
			sr.Caps = &CapsReport{Kept: ps.Caps, Removed: ps.Removed, Evidence: ps.Needed}
			if !n.CapsKnown || !equalCaps(n.Caps, ps.Caps) {
				found.Caps = ps.Caps
			}
		case ps.NoCapDrop != "":
			sr.NoCapDrop = ps.NoCapDrop
		case ps.doCaps && !ps.done():
			sr.NoCapDrop = fmt.Sprintf("the search did not end within %d rounds", maxPrivRounds)
		}
		if found.Caps != nil || found.RunAs != "" || found.NeedsRoot != "" {
			l := serviceEntry(learned, s, source)
			l.Caps, l.RunAs, l.NeedsRoot = found.Caps, found.RunAs, found.NeedsRoot
		}
	}
	return rounds, nil
}

// describeTries says what a round runs, for the log.
func describeTries(tries map[string]privTry) string {
	names := make([]string, 0, len(tries))
	for s := range tries {
		names = append(names, s)
	}
	sort.Strings(names)
	out := ""
	for i, s := range names {
		if i > 0 {
			out += "; "
		}
		try := tries[s]
		out += s
		if try.User != "" {
			out += " as " + try.User
		}
		if try.DropAll {
			out += fmt.Sprintf(" with %v", try.Caps)
		}
	}
	return out
}

// indexOf returns the index of service s in results (-1 when absent).
func indexOf(results []ServiceReport, s string) int {
	for i := range results {
		if results[i].Name == s {
			return i
		}
	}
	return -1
}

// equalCaps reports whether two capability lists name the same set.
func equalCaps(a, b []string) bool {
	a, b = sortedCaps(a), sortedCaps(b)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// proveWritten runs the project as written with what was learned, the
// privilege facts included, from a clean slate, and judges every service
// again; the privilege findings of before are carried over. It returns
// the config file and compose files it ran, and the new results.
func (t *trial) proveWritten(ctx context.Context, learned []learn.Learned, base map[string]*Observation, services []string, before []ServiceReport) ([]byte, [][]byte, []ServiceReport, error) {
	cfg, files, reasons, err := t.hardened(learned)
	if err != nil {
		return nil, nil, nil, err
	}
	pr, err := t.start(ctx, "w", files)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("running the project as written: %v", err)
	}
	defer func() { go t.down(pr) }()
	obs, err := t.watch(ctx, pr.name, services, t.settle)
	if err != nil && ctx.Err() == nil {
		return nil, nil, nil, err
	}
	if ctx.Err() != nil {
		return nil, nil, nil, ctx.Err()
	}
	var results []ServiceReport
	for _, s := range services {
		sr := t.judge(ctx, s, base[s], obs[s], reasons, learned)
		if i := indexOf(before, s); i >= 0 {
			b := before[i]
			sr.PrivNotes = b.PrivNotes
			sr.RunAs, sr.NeedsRoot, sr.Caps, sr.NoCapDrop, sr.PrivRounds = b.RunAs, b.NeedsRoot, b.Caps, b.NoCapDrop, b.PrivRounds
		}
		if len(obs[s].Containers) > 0 {
			c := obs[s].Containers[0]
			sr.User, sr.CapDrop, sr.CapAdd = c.User, c.CapDrop, c.CapAdd
		}
		results = append(results, sr)
	}
	return cfg, files, results, nil
}
