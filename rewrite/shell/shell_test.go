package shell

import (
	"errors"
	"strings"
	"testing"

	"github.com/rofix/rofix/golden/cases"

	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// goldenInputs returns the inputs of the shell golden cases.
func goldenInputs(t testing.TB) []string {
	inputs, err := cases.Inputs("../../golden", "shell")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, in := range inputs {
		out = append(out, string(in))
	}
	return out
}

// harden plans and applies; it fails the test on anything but a clean
// result or a positioned parse error.
func harden(t *testing.T, src []byte, pol policy.Policy) ([]byte, *finding.Plan) {
	plan, err := Plan("x.sh", src, pol)
	if err != nil {
		var pe *finding.PosError
		if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > len(src) {
			t.Fatalf("error %v is not a positioned error", err)
		}
		return nil, nil
	}
	for _, f := range plan.Findings {
		if f.Start < 0 || f.Start > f.End || f.End > len(src) {
			t.Fatalf("finding span [%d,%d) outside %d bytes: %s", f.Start, f.End, len(src), f.Message)
		}
	}
	out, err := edit.Apply(src, plan.Edits)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if len(plan.Edits) > 0 {
		if err := plan.Verify(out); err != nil {
			t.Fatalf("verify: %v\n--- in\n%s\n--- out\n%s", err, src, out)
		}
	}
	return out, plan
}

func FuzzShellPlan(f *testing.F) {
	for _, s := range goldenInputs(f) {
		f.Add(s, false)
	}
	base := policy.Default() // the built-in table is read once
	f.Fuzz(func(t *testing.T, s string, binds bool) {
		pol := base
		if binds {
			pol.ROMounts = policy.ROMountsBinds
		}
		out, plan := harden(t, []byte(s), pol)
		if plan == nil || len(plan.Edits) == 0 {
			return
		}
		again, plan2 := harden(t, out, pol)
		if plan2 == nil {
			t.Fatalf("the output does not parse:\n%s", out)
		}
		if len(plan2.Edits) != 0 {
			t.Fatalf("second pass edits:\n--- first\n%s\n--- second\n%s", out, again)
		}
	})
}

func TestVerifyRejects(t *testing.T) {
	src := []byte("docker run --rm alpine\n")
	plan, err := Plan("x.sh", src, policy.Default())
	if err != nil || plan.Verify == nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		"docker run --read-only --rm alpine\n",                                                 // flags missing
		"docker run --read-only --tmpfs /tmp --security-opt no-new-privileges --rm alpine:2\n", // image changed
		"docker run --read-only --tmpfs /tmp --security-opt no-new-privileges --rm alpine\nx'", // broken
		"",
	} {
		if plan.Verify([]byte(bad)) == nil {
			t.Errorf("Verify accepted %q", bad)
		}
	}
	good, _ := edit.Apply(src, plan.Edits)
	if err := plan.Verify(good); err != nil {
		t.Errorf("Verify rejected the planned output: %v", err)
	}
}

func BenchmarkShellPlan(b *testing.B) {
	script := benchScript()
	b.SetBytes(int64(len(script)))
	pol := policy.Default()
	for b.Loop() {
		if _, err := Plan("bench.sh", script, pol); err != nil {
			b.Fatal(err)
		}
	}
}

// benchScript is a ~2 KB script in the shapes real repositories use.
func benchScript() []byte {
	var b strings.Builder
	b.WriteString("#!/bin/bash\nset -euo pipefail\n")
	for b.Len() < 2048 {
		b.WriteString(`start_db() {
	cid="$(docker run -d \
		-e POSTGRES_PASSWORD=secret \
		-v "$PWD/init.sql:/docker-entrypoint-initdb.d/init.sql" \
		--name db example/postgres:16)"
}
docker run --rm -it -v ./nginx.conf:/etc/nginx/nginx.conf -p 8080:80 nginx:1.27
if ! docker run --rm -i example/linter:1 < ./config.yml | tee lint.log; then echo failed; fi
`)
	}
	return []byte(b.String())
}
