package embed

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/encoding"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/shell"
	"github.com/rofix/rofix/rewrite/textpos"
)

// An Extractor finds the embedded commands of a host file. It returns an
// error (with a position) when the host does not parse.
type Extractor func(src []byte) ([]*Snippet, error)

// Plan hardens every command an extractor finds in src with the shell
// engine and maps the result back to src. A snippet the shell engine cannot
// parse is reported (not an error: hosts hold commands in other languages
// and templates) and left alone.
func Plan(name string, src []byte, pol policy.Policy, extract Extractor) (*finding.Plan, error) {
	// Binary content or UTF-16 is no host file rofix can edit.
	if err := encoding.Check(src, false); err != nil {
		return nil, err
	}
	snippets, err := extract(src)
	if err != nil {
		return nil, err
	}
	plan := &finding.Plan{}
	var want [][]byte // each snippet after its edits
	all := hostUses(src, snippets)
	for _, sn := range snippets {
		hostOffset := func(off int) int {
			if h, ok := sn.hostOffset(off, true); ok {
				return h
			}
			h, _ := sn.HostSpan()
			return h
		}
		p, err := shell.PlanIn(name, sn.Text, pol, &shell.Context{Uses: all, HostText: sn.hostText, HostOffset: hostOffset})
		hostStart, _ := sn.HostSpan()
		if err != nil {
			var pe *finding.PosError
			off := hostStart
			if errors.As(err, &pe) {
				if h, ok := sn.hostOffset(pe.Offset, false); ok {
					off = h
				}
			}
			plan.Add(finding.Syntax, off, off, false, "embedded command left alone: %v", err)
			want = append(want, sn.Text)
			continue
		}
		for _, f := range p.Findings {
			s, e, err := sn.hostRange(f.Start, f.End)
			if err != nil {
				s, e = hostStart, hostStart
			}
			f.Start, f.End = s, e
			f.Message = sn.hostText(f.Message)
			plan.Findings = append(plan.Findings, f)
		}
		edits, err := mapEdits(sn, p.Edits)
		if err != nil {
			plan.Add(finding.Unsupported, hostStart, hostStart, false, "embedded command left alone: %v", err)
			want = append(want, sn.Text)
			continue
		}
		out, err := edit.Apply(sn.Text, p.Edits)
		if err == nil && p.Verify != nil {
			err = p.Verify(out)
		}
		if err != nil {
			plan.Add(finding.Unsupported, hostStart, hostStart, false, "embedded command left alone: %v", err)
			want = append(want, sn.Text)
			continue
		}
		plan.Edits = append(plan.Edits, edits...)
		want = append(want, out)
	}
	if len(plan.Edits) > 0 {
		plan.Verify = func(out []byte) error { return verify(out, extract, want) }
	}
	return plan, nil
}

// mapEdits maps a snippet's edits to the host, escaping inserted text.
func mapEdits(sn *Snippet, edits []edit.Edit) ([]edit.Edit, error) {
	var out []edit.Edit
	for _, e := range edits {
		s, end, err := sn.hostRange(e.Start, e.End)
		if err != nil {
			return nil, err
		}
		text := e.Text
		if sn.Escape != nil {
			if text, err = sn.Escape(text); err != nil {
				return nil, err
			}
		}
		out = append(out, edit.Edit{Start: s, End: end, Text: text, Block: e.Block})
	}
	return out, nil
}

// verify extracts the commands of the edited host again: the host must
// still parse and hold the same commands, each exactly as planned.
func verify(out []byte, extract Extractor, want [][]byte) error {
	got, err := extract(out)
	if err != nil {
		return fmt.Errorf("the edited file does not parse: %w", err)
	}
	if len(got) != len(want) {
		return fmt.Errorf("the edited file has %d embedded commands, want %d", len(got), len(want))
	}
	for i, sn := range got {
		if !bytes.Equal(sn.Text, want[i]) {
			return fmt.Errorf("embedded command %d reads %q after editing, want %q", i+1, sn.Text, want[i])
		}
	}
	return nil
}

// hostUses returns the exec, cp and start commands of every snippet, in
// host terms: the scripts of one host file share their containers (a CI
// job's steps run on one machine, a unit's Exec lines one after another).
func hostUses(src []byte, snippets []*Snippet) []shell.Use {
	var all []shell.Use
	var pos *textpos.Index
	for _, sn := range snippets {
		if !bytes.Contains(sn.Text, []byte("exec")) && !bytes.Contains(sn.Text, []byte("cp")) && !bytes.Contains(sn.Text, []byte("start")) && !bytes.Contains(sn.Text, []byte("volumes-from")) {
			continue // spares a parse: no use can be there
		}
		us, err := shell.FindUses(sn.Text)
		if err != nil {
			continue
		}
		for _, u := range us {
			if pos == nil {
				pos = textpos.New(src)
			}
			h, ok := sn.hostOffset(u.Start, false)
			if !ok {
				h, _ = sn.HostSpan()
			}
			u.Start, u.Line = h, pos.Pos(h).Line
			for i, c := range u.Containers {
				u.Containers[i] = sn.hostText(c)
			}
			var words []string
			for _, w := range u.Words {
				if s, e, err := sn.hostRange(w[0], w[1]); err == nil {
					words = append(words, string(src[s:e]))
				}
			}
			if len(words) == len(u.Words) {
				u.Text = strings.Join(words, " ") // as the host writes it ($$id, $*)
			}
			all = append(all, u)
		}
	}
	return all
}
