package embed

import (
	"testing"

	"github.com/rofix/rofix/golden/cases"
	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// fuzzHost checks an embedded-command engine on any input: no panic; a
// verified output plans again without edits.
func fuzzHost(f *testing.F, kind string, plan func(string, []byte, policy.Policy) (*finding.Plan, error)) {
	inputs, err := cases.Inputs("../../golden", kind)
	if err != nil {
		f.Fatal(err)
	}
	for _, in := range inputs {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		pol := policy.Default()
		p, err := plan("x", src, pol)
		if err != nil || len(p.Edits) == 0 {
			return
		}
		out, err := edit.Apply(src, p.Edits)
		if err != nil {
			t.Fatalf("edits do not apply: %v", err)
		}
		if p.Verify(out) != nil {
			return
		}
		again, err := plan("x", out, pol)
		if err != nil || len(again.Edits) > 0 {
			t.Fatalf("not idempotent (err %v)\ninput:\n%q\noutput:\n%q", err, src, out)
		}
	})
}

func FuzzMakefile(f *testing.F) { fuzzHost(f, "makefile", PlanMakefile) }
func FuzzWorkflow(f *testing.F) { fuzzHost(f, "workflow", PlanWorkflow) }
func FuzzMarkdown(f *testing.F) { fuzzHost(f, "markdown", PlanMarkdown) }
