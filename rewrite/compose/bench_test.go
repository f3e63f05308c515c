package compose_test

import (
	"testing"

	"github.com/rofix/rofix/bench/samples"

	"github.com/rofix/rofix/rewrite/compose"
	"github.com/rofix/rofix/rewrite/policy"
)

// BenchmarkComposePlan measures planning (locate with yaml.v3, plan the
// edits) on a typical 2 KB file and on a 1 MB one. Verification is part of
// the plan's Verify and is measured by BenchmarkProcess in package rewrite.
func BenchmarkComposePlan(b *testing.B) {
	pol := policy.Default()
	for _, in := range []struct {
		name string
		src  []byte
	}{
		{"2KB", []byte(samples.Compose)},
		{"1MB", samples.BigCompose(1 << 20)},
	} {
		b.Run(in.name, func(b *testing.B) {
			if _, err := compose.Plan(in.src, pol); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(in.src)))
			for b.Loop() {
				if _, err := compose.Plan(in.src, pol); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
