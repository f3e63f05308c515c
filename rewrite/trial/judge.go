package trial

// This file judges a service of a hardened run against its original run.

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/rofix/rofix/rewrite/learn"
)

// judge says whether a service ran hardened as it ran originally.
func (t *trial) judge(ctx context.Context, s string, base, o *Observation, reasons map[string]string, learned []learn.Learned) ServiceReport {
	sr := ServiceReport{Name: s, Original: base.State, State: o.State, Seconds: round1(o.Seconds)}
	sr.ReadOnly, sr.NoNewPrivs = len(o.Containers) > 0, len(o.Containers) > 0
	for _, c := range o.Containers {
		sr.ReadOnly = sr.ReadOnly && c.ReadOnly
		sr.NoNewPrivs = sr.NoNewPrivs && c.NoNewPrivs
		for _, p := range c.Tmpfs {
			if !slices.Contains(sr.Tmpfs, p) {
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
