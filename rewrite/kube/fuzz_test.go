package kube

import (
	"testing"

	"github.com/rofix/rofix/golden/cases"
	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/policy"
)

// FuzzPlan checks the Kubernetes engine's promises on any input: no panic;
// when the plan's edits pass verification, a second plan on the output has
// no edits (idempotent). Seeds are the golden inputs.
func FuzzPlan(f *testing.F) {
	inputs, err := cases.Inputs("../../golden", "kube")
	if err != nil {
		f.Fatal(err)
	}
	for _, in := range inputs {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		pol := policy.Default()
		plan, err := Plan(src, pol)
		if err != nil || len(plan.Edits) == 0 {
			return
		}
		out, err := edit.Apply(src, plan.Edits)
		if err != nil {
			t.Fatalf("edits do not apply: %v", err)
		}
		if plan.Verify(out) != nil {
			return // refused before writing: the safety net held
		}
		again, err := Plan(out, pol)
		if err != nil {
			t.Fatalf("verified output does not plan again: %v\n%s", err, out)
		}
		if len(again.Edits) > 0 {
			t.Fatalf("not idempotent: second pass has %d edits\ninput:\n%s\noutput:\n%s", len(again.Edits), src, out)
		}
	})
}
