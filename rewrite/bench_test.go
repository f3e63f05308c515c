package rewrite_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	"mvdan.cc/sh/v3/syntax"

	"github.com/rofix/rofix/bench/samples"
	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/policy"
)

// BenchmarkProcess measures what one file costs rofix end to end in
// process: plan, apply the edits, verify by re-parsing, on the typical 2 KB
// compose file and script and on a 1 MB compose file. The difference with
// BenchmarkComposePlan and BenchmarkShellPlan is the cost of applying and
// verifying.
func BenchmarkProcess(b *testing.B) {
	pol := policy.Default()
	for _, in := range []struct {
		name, file string
		kind       rewrite.Kind
		src        []byte
	}{
		{"compose-2KB", "compose.yaml", rewrite.Compose, []byte(samples.Compose)},
		{"shell-2KB", "run.sh", rewrite.Shell, []byte(samples.Script)},
		{"compose-1MB", "compose.yaml", rewrite.Compose, samples.BigCompose(1 << 20)},
	} {
		b.Run(in.name, func(b *testing.B) {
			res := rewrite.Process(in.file, in.src, in.kind, pol)
			if res.Err != nil || !res.Changed() {
				b.Fatalf("input not hardened (err %v): it does not exercise the engine", res.Err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(in.src)))
			for b.Loop() {
				rewrite.Process(in.file, in.src, in.kind, pol)
			}
		})
	}
}

// BenchmarkParseFloor parses the inputs of BenchmarkProcess once, as
// bench/floor/parse does (yaml.v3 into a yaml.Node per document, or
// mvdan.cc/sh with a reused parser): locating plus verifying by re-parse
// costs at least this, so BenchmarkProcess over this is rofix's in-process
// ratio to the floor.
func BenchmarkParseFloor(b *testing.B) {
	for _, in := range []struct {
		name string
		src  []byte
	}{
		{"compose-2KB", []byte(samples.Compose)},
		{"shell-2KB", []byte(samples.Script)},
		{"compose-1MB", samples.BigCompose(1 << 20)},
	} {
		b.Run(in.name, func(b *testing.B) {
			p := syntax.NewParser(syntax.KeepComments(true), syntax.Variant(syntax.LangPOSIX))
			b.ReportAllocs()
			b.SetBytes(int64(len(in.src)))
			for b.Loop() {
				if strings.HasPrefix(in.name, "shell") {
					if _, err := p.Parse(bytes.NewReader(in.src), "run.sh"); err != nil {
						b.Fatal(err)
					}
					continue
				}
				dec := yaml.NewDecoder(bytes.NewReader(in.src))
				for {
					var doc yaml.Node
					if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
