package golden

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// corpusDir returns the shared corpus of real compose files, which lives
// next to the repository (../shared/corpus/compose from the repository
// root) or where $ROFIX_CORPUS says, or skips the test when it is absent.
func corpusDir(t *testing.T) string {
	t.Helper()
	if env := os.Getenv("ROFIX_CORPUS"); env != "" {
		return corpusFolder(t, env, "compose")
	}
	return sharedCorpus(t, "compose")
}

// corpusFiles lists every file of the corpus but its index tables (.tsv).
func corpusFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !strings.HasSuffix(path, ".tsv") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// corpusResult processes one file as compose, turning a panic into an error.
func corpusResult(name string, src []byte, pol policy.Policy) (res *rewrite.Result, panicked error) {
	defer func() {
		if r := recover(); r != nil {
			panicked = errors.New(string(debug.Stack()))
			_ = r
		}
	}()
	return rewrite.Process(name, src, rewrite.Compose, pol), nil
}

// TestCorpus runs the compose engine over every file of the shared corpus,
// under every --ro-mounts policy: no panic; a parseable input gives a
// parseable output that a second pass leaves unchanged; an input that
// cannot be processed is reported and left untouched; every service is
// hardened unless it opts out or a finding says why not.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	files := corpusFiles(t, dir)
	for _, mode := range []policy.ROMounts{policy.ROMountsAuto, policy.ROMountsBinds, policy.ROMountsOff} {
		pol := policy.Default()
		pol.ROMounts = mode
		var changed, errs, notCompose, verifyFailures int
		for _, path := range files {
			rel, _ := filepath.Rel(dir, path)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			res, panicked := corpusResult(rel, src, pol)
			if panicked != nil {
				t.Errorf("%s (%v): panic: %v", rel, mode, panicked)
				continue
			}
			if !bytes.Equal(src, append([]byte(nil), res.Src...)) {
				t.Errorf("%s: the engine modified its input", rel)
			}
			switch {
			case res.Err != nil:
				errs++
				if !bytes.Equal(res.Out, src) {
					t.Errorf("%s: error %v but the output differs from the input", rel, res.Err)
				}
				if strings.Contains(res.Err.Error(), "verification failed") {
					verifyFailures++
					t.Errorf("%s (%v): %v", rel, mode, res.Err)
				} else if yamlParses(src) && !expectedRefusal(res.Err) {
					t.Errorf("%s (%v): parseable input refused: %v", rel, mode, res.Err)
				}
				continue
			case res.NotCompose:
				notCompose++
				if !bytes.Equal(res.Out, src) {
					t.Errorf("%s: not compose but changed", rel)
				}
				continue
			}
			if res.Changed() {
				changed++
				if !yamlParses(res.Out) {
					t.Errorf("%s (%v): the output does not parse", rel, mode)
				}
			}
			again := rewrite.Process(rel, res.Out, rewrite.Compose, pol)
			if again.Err != nil || again.Changed() {
				t.Errorf("%s (%v): second pass not idempotent: err=%v", rel, mode, again.Err)
			}
			for _, f := range again.Findings {
				if f.Fixed {
					t.Errorf("%s (%v): second pass still fixes: %s", rel, mode, f.Message)
				}
			}
			checkHardened(t, rel, res)
		}
		t.Logf("--ro-mounts=%v: %d files, %d changed, %d not compose, %d reported errors, %d verification failures",
			mode, len(files), changed, notCompose, errs, verifyFailures)
	}
}

// expectedRefusal reports the errors rofix gives on YAML that compose
// itself rejects or that is not a compose file rofix can edit.
func expectedRefusal(err error) bool {
	msg := err.Error()
	for _, s := range []string{"compose rejects this file", "format v1", "must be a mapping", "must be a plain string", "alias", "nesting"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// yamlParses reports whether every document of src parses with yaml.v3.
func yamlParses(src []byte) bool {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// checkHardened checks every service of the output: it is read-only (with
// a /tmp mount) and has no-new-privileges, or the first run reported a
// finding for that rule that was not a fix (an opt-out, a directive, an
// unsafe spot).
func checkHardened(t *testing.T, name string, res *rewrite.Result) {
	t.Helper()
	reported := map[finding.Rule]bool{}
	for _, f := range res.Findings {
		if !f.Fixed {
			reported[f.Rule] = true
		}
	}
	if reported[finding.Directive] || reported[finding.Unsupported] {
		return // a service skipped on purpose; the golden cases pin these
	}
	alone := aloneServices(res.Findings)
	for _, svc := range outputServices(res.Out) {
		if alone[svc.name] {
			continue // left alone as a whole, and said why
		}
		ro := svc.bool("read_only")
		switch {
		case ro == "false" && !reported[finding.ReadOnly]:
			t.Errorf("%s: service %s read_only: false not reported", name, svc.name)
		case ro == "" && !reported[finding.ReadOnly]:
			t.Errorf("%s: service %s is not read-only and nothing says why", name, svc.name)
		}
		if ro == "true" && !svc.hasTmp() && !reported[finding.Tmpfs] {
			t.Errorf("%s: service %s is read-only without a /tmp mount", name, svc.name)
		}
		if !svc.hasNNP() && !reported[finding.NoNewPrivileges] {
			t.Errorf("%s: service %s lacks no-new-privileges and nothing says why", name, svc.name)
		}
	}
}

// aloneServices returns the services left alone as a whole (see
// policy.Judge: privileged and Windows containers): an unfixed read-only
// finding says why, and nothing is fixed.
func aloneServices(fs []finding.Finding) map[string]bool {
	alone, fixed := map[string]bool{}, map[string]bool{}
	for _, f := range fs {
		if f.Subject == nil || f.Subject.Kind != "service" {
			continue
		}
		switch {
		case f.Fixed:
			fixed[f.Subject.Name] = true
		case f.Rule == finding.ReadOnly:
			alone[f.Subject.Name] = true
		}
	}
	for svc := range fixed {
		delete(alone, svc)
	}
	return alone
}
