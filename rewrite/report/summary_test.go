package report

import (
	"errors"
	"testing"
)

// TestSummary counts files, subjects hardened and findings by rule, and
// renders the lines printed after a run.
func TestSummary(t *testing.T) {
	inputs := []input{
		{path: "a/compose.yaml", src: []byte("services:\n  web:\n    image: a\n  db:\n    image: b\n    read_only: false\n")},
		{path: "b/run.sh", src: []byte("#!/bin/sh\ndocker run -d a\npodman run --rm b\n")},
		{path: "c/compose.yaml", src: []byte("services:\n  web:\n    image: a\n    read_only: true\n    tmpfs: [/tmp]\n    security_opt: [no-new-privileges]\n")},
		{path: "d/compose.yaml", src: []byte("services:\n  web:\n image: [x\n")},
	}
	var s Summary
	for _, in := range inputs {
		in.pol = defaultPolicy()
		f := FromResult(in.path, process(in))
		s.Add(&f)
	}
	failed := Failed("e/compose.yaml", "compose", errors.New("permission denied"))
	skipped := Skipped("f/compose.yaml", "symlink not followed")
	s.Add(&failed)
	s.Add(&skipped)
	want := "rofix: 6 files scanned: 2 changed, 1 skipped, 2 with errors\n" +
		"rofix: hardened 2 services and 2 commands\n" +
		"rofix: findings: read-only 4 (3 fixed), tmpfs 2 (2 fixed), no-new-privileges 4 (4 fixed)\n" // podman mounts its own /tmp
	if got := s.Text(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	if s.Fixed() != 9 || s.Open() != 1 {
		t.Errorf("fixed %d open %d, want 9 and 1", s.Fixed(), s.Open())
	}
}
