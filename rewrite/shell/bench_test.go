package shell_test

import (
	"testing"

	"github.com/rofix/rofix/bench/samples"

	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/shell"
)

// BenchmarkShellPlanLarge measures planning (parse with mvdan.cc/sh, find
// the run commands, plan the edits) on a 256 KB script, to show that the
// cost per byte does not grow with size. BenchmarkShellPlan, next to the
// engine's tests, covers the typical 2 KB script.
func BenchmarkShellPlanLarge(b *testing.B) {
	src := samples.BigScript(256 << 10)
	pol := policy.Default()
	plan, err := shell.Plan("run.sh", src, pol)
	if err != nil {
		b.Fatal(err)
	}
	if len(plan.Edits) == 0 {
		b.Fatal("no edits: the input does not exercise the engine")
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := shell.Plan("run.sh", src, pol); err != nil {
			b.Fatal(err)
		}
	}
}
