package compose_test

import (
	"fmt"
	"strings"
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
		// One anchor merged into every service: the alias walk must not
		// compare each service with all the others (it did, for a while).
		{"shared-anchor-5000", sharedAnchor(5000)},
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

// sharedAnchor returns a compose file of n services that all merge one
// anchor.
func sharedAnchor(n int) []byte {
	var b strings.Builder
	b.WriteString("x-common: &common\n  restart: always\nservices:\n")
	for i := range n {
		fmt.Fprintf(&b, "  s%d:\n    <<: *common\n    image: app%d\n", i, i)
	}
	return []byte(b.String())
}
