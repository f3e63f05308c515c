package lsp

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/compose"
	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/textpos"
	"github.com/rofix/rofix/shellparse"
)

// textEdits converts byte-range edits on the document's text into LSP text
// edits. Edits that touch (one ends where the next starts, or two
// insertions at one offset) are merged into one, in the order edit.Apply
// uses, so that a client applying them in any order gets exactly what
// edit.Apply gives.
func (d *document) textEdits(edits []edit.Edit) []TextEdit {
	out := []TextEdit{}
	var merged []edit.Edit
	for _, e := range edit.Sorted(edits) {
		if n := len(merged); n > 0 && merged[n-1].End == e.Start {
			merged[n-1].End = e.End
			merged[n-1].Text += e.Text
			continue
		}
		merged = append(merged, e)
	}
	for _, e := range merged {
		out = append(out, TextEdit{Range: d.lines.rangeOf(e.Start, e.End), NewText: e.Text})
	}
	return out
}

// formatting returns the edits that turn the text into what
// rofix --stdin-filename writes for it. On a text rofix refuses it returns
// no edits (like -w, it leaves the text as it is) and the error, for the
// log; the error diagnostic already says what is wrong.
func (d *document) formatting(policyFor PolicyFunc, enc encoding) ([]TextEdit, error) {
	res := d.analyse(policyFor, enc)
	switch {
	case res == nil || res.NotCompose:
		return []TextEdit{}, nil
	case res.Err != nil:
		return []TextEdit{}, fmt.Errorf("%s:%s", d.name(), rewrite.FormatError(textpos.New(res.Src), res.Err))
	}
	return d.textEdits(res.Edits), nil
}

// codeActions returns a quick fix for every finding in rng that rofix
// fixes, and the source.fixAll.rofix action, filtered by the kinds the
// client asked for (all when only is empty).
func (d *document) codeActions(policyFor PolicyFunc, enc encoding, rng Range, only []string) []CodeAction {
	res := d.analyse(policyFor, enc)
	actions := []CodeAction{}
	if res == nil || res.Err != nil || len(res.Edits) == 0 {
		return actions
	}
	if wants(only, kindQuickFix) {
		start, end := d.lines.offset(rng.Start), d.lines.offset(rng.End)
		units := d.units(res)
		for _, f := range res.Findings {
			if !f.Fixed || f.Start > end || f.End < start {
				continue
			}
			edits, noun := d.unitFix(res, units, f, d.pol)
			title := fmt.Sprintf("Fix %s: harden this %s with rofix", f.Rule, noun)
			if edits == nil {
				edits = res.Edits
				title = fmt.Sprintf("Fix %s: apply every rofix change to this file", f.Rule)
			}
			actions = append(actions, CodeAction{
				Title:       title,
				Kind:        kindQuickFix,
				Diagnostics: []Diagnostic{d.diagnostic(f)},
				IsPreferred: true,
				Edit:        &WorkspaceEdit{Changes: map[string][]TextEdit{d.uri: d.textEdits(edits)}},
			})
		}
	}
	if wants(only, kindFixAll) {
		actions = append(actions, CodeAction{
			Title: "Harden every container in this file with rofix",
			Kind:  kindFixAll,
			Edit:  &WorkspaceEdit{Changes: map[string][]TextEdit{d.uri: d.textEdits(res.Edits)}},
		})
	}
	return actions
}

// wants reports whether a code action of kind is asked for: only lists
// kinds or their parents ("source" asks for "source.fixAll.rofix").
func wants(only []string, kind string) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if kind == o || strings.HasPrefix(kind, o+".") {
			return true
		}
	}
	return false
}

// A unit is the span of one container's definition: a compose service
// (from its key to the next service's key) or a run command.
type unit struct{ start, end int }

// units returns the containers' spans, sorted by start.
func (d *document) units(res *rewrite.Result) []unit {
	var us []unit
	switch res.Kind {
	case rewrite.Compose:
		keys, err := compose.ServiceKeys(res.Src)
		if err != nil {
			return nil
		}
		for i, k := range keys {
			end := len(res.Src)
			if i+1 < len(keys) {
				end = keys[i+1]
			}
			us = append(us, unit{k, end})
		}
	case rewrite.Shell:
		found, err := shellparse.Find(res.Src, shellparse.DialectFor(res.Src))
		if err != nil {
			return nil
		}
		for _, inv := range found.Invocations {
			us = append(us, unit{inv.Start, inv.End + 1})
		}
	}
	sort.SliceStable(us, func(i, j int) bool { return us[i].start < us[j].start })
	return us
}

// unitFix returns the edits that fix finding f's container alone, and what
// the container is ("service" or "command"), or nil when they cannot be
// told apart from the rest of the file's edits.
//
// rofix's rules on one container depend on each other (read-only needs a
// tmpfs), so a finding's fix is its container's: the edits inside the
// innermost span holding the finding. That split is checked, not assumed:
// rofix run again on the text with only those edits must produce exactly
// the whole file's result, so the fix is one part of rofix's verified
// change and never a different change.
func (d *document) unitFix(res *rewrite.Result, units []unit, f finding.Finding, pol policy.Policy) ([]edit.Edit, string) {
	noun := "service"
	if res.Kind == rewrite.Shell {
		noun = "command"
	}
	best := -1
	for i, u := range units {
		if u.start <= f.Start && f.Start < u.end && (best < 0 || u.end-u.start < units[best].end-units[best].start) {
			best = i
		}
	}
	if best < 0 {
		return nil, noun
	}
	u := units[best]
	var edits []edit.Edit
	for _, e := range res.Edits {
		if u.start <= e.Start && e.End <= u.end {
			edits = append(edits, e)
		}
	}
	if len(edits) == 0 {
		return nil, noun
	}
	if len(edits) == len(res.Edits) {
		return edits, noun
	}
	partial, err := edit.Apply(res.Src, edits)
	if err != nil {
		return nil, noun
	}
	again := rewrite.Process(res.Name, partial, res.Kind, pol)
	if again.Err != nil || string(again.Out) != string(res.Out) {
		return nil, noun
	}
	return edits, noun
}
