// Package golden runs rofix's golden cases: each testdata/**/*.txtar file
// holds an input file, the expected output, and the expected findings or
// error. Run "go test ./golden -update" to rewrite the expectations after a
// deliberate change, then read the diff.
package golden

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/config"
	"github.com/rofix/rofix/rewrite/diff"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/textpos"
)

var update = flag.Bool("update", false, "rewrite the expected sections of the golden files")

// A case file's sections:
//
//	comment      a description; a line "flags: --ro-mounts=binds" sets the policy;
//	             a line "no-final-newline" strips the last newline of the input
//	             and output sections (txtar cannot hold a file without one)
//	-- NAME --   the input, first; NAME picks the engine (compose.yaml, x.sh)
//	-- .rofix.yaml -- a config file applied to the policy, as if found next
//	             to the input
//	-- output -- the expected output; absent when the input must stay unchanged
//	-- findings -- one finding per line, as "line:col: rule: message [(fixed)]"
//	-- error --  the expected error, when the input must be refused
//	-- images.yaml -- image entries the case knows, in the table's form (policy.ParseTable)
//	-- OTHER --  any other section is a file of the tree next to the input
//	             (a Dockerfile), read through policy.Policy.ReadFile
func TestGolden(t *testing.T) {
	var files []string
	err := filepath.WalkDir("testdata", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".txtar") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(file), "testdata/"), ".txtar")
		t.Run(name, func(t *testing.T) { runCase(t, file) })
	}
}

func runCase(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(ar.Files) == 0 {
		t.Fatal("no input section")
	}
	noEOL := strings.Contains("\n"+string(ar.Comment), "\nno-final-newline")
	if noEOL {
		for i := range ar.Files {
			if ar.Files[i].Name == "output" || i == 0 {
				ar.Files[i].Data = bytes.TrimSuffix(ar.Files[i].Data, []byte("\n"))
			}
		}
	}
	input := ar.Files[0]
	pol, err := casePolicy(string(ar.Comment))
	if err != nil {
		t.Fatal(err)
	}
	kept, err := caseTree(&pol, ar.Files[1:])
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range kept {
		if f.Name == config.FileName {
			c, err := config.Parse(f.Name, f.Data)
			if err != nil {
				t.Fatal(err)
			}
			pol = c.Apply(pol, strings.Contains(string(ar.Comment), "--ro-mounts="))
		}
	}
	kind := rewrite.DetectKind(input.Name, input.Data, true)
	res := rewrite.Process(input.Name, input.Data, kind, pol)

	x := textpos.New(input.Data)
	var findings, errText bytes.Buffer
	for _, f := range res.Findings {
		findings.WriteString(rewrite.FormatFinding(x, f) + "\n")
	}
	if res.Err != nil {
		errText.WriteString(rewrite.FormatError(x, res.Err) + "\n")
	}
	if res.NotCompose {
		errText.WriteString("not compose\n")
	}
	got := map[string][]byte{"findings": findings.Bytes(), "error": errText.Bytes()}
	if res.Changed() {
		got["output"] = res.Out
	}

	if *update {
		ar.Files = append([]txtar.File{input}, kept...)
		for _, section := range []string{"output", "findings", "error"} {
			if len(got[section]) > 0 {
				ar.Files = append(ar.Files, txtar.File{Name: section, Data: got[section]})
			}
		}
		if err := os.WriteFile(file, txtar.Format(ar), 0o666); err != nil {
			t.Fatal(err)
		}
	} else {
		want := map[string][]byte{}
		for _, f := range ar.Files[len(kept)+1:] {
			want[f.Name] = f.Data
		}
		for _, section := range []string{"output", "findings", "error"} {
			if !bytes.Equal(got[section], want[section]) {
				t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", section, got[section], want[section])
			}
		}
	}

	if !res.Changed() {
		return
	}
	// The diff rendered from the edits is the line diff of the texts.
	if d, err := diff.Edits("a", "b", input.Data, res.Edits); err != nil || !bytes.Equal(d, diff.Unified("a", "b", input.Data, res.Out)) {
		t.Errorf("diff from edits differs from the line diff (err %v):\n%s", err, d)
	}
	again := rewrite.Process(input.Name, res.Out, kind, pol)
	if again.Err != nil || again.Changed() {
		t.Errorf("second run not idempotent: err=%v\n%s", again.Err, again.Out)
	}
	if kind == rewrite.Shell {
		checkBash(t, res.Out)
	}
	if kind == rewrite.Makefile {
		checkMake(t, input.Data, res.Out)
	}
}

// checkBash runs "bash -n" on a rewritten script: the output must still be
// a script bash accepts.
func checkBash(t *testing.T, script []byte) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Log("bash not found; skipping bash -n")
		return
	}
	cmd := exec.Command(bash, "-n")
	cmd.Stdin = bytes.NewReader(bytes.ReplaceAll(script, []byte("\r\n"), []byte("\n")))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("bash -n rejects the output: %v\n%s", err, out)
	}
}

func casePolicy(comment string) (policy.Policy, error) {
	pol := policy.Default()
	for _, line := range strings.Split(comment, "\n") {
		flags, ok := strings.CutPrefix(line, "flags:")
		if !ok {
			continue
		}
		for _, f := range strings.Fields(flags) {
			if v, ok := strings.CutPrefix(f, "--ro-mounts="); ok {
				m, err := policy.ParseROMounts(v)
				if err != nil {
					return pol, err
				}
				pol.ROMounts = m
			}
		}
	}
	return pol, nil
}
