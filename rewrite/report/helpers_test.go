package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/config"
	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/policy"
)

// An input is a file to run the engines on in these tests.
type input struct {
	name string // the case, for messages
	path string // the file's name: it picks the engine
	src  []byte
	pol  policy.Policy
}

// goldenInputs returns every golden case's input, with its policy (its
// flags and .rofix.yaml) and its missing final newline, as
// golden/golden_test.go reads them.
func goldenInputs(t *testing.T) []input {
	t.Helper()
	files, err := filepath.Glob("../../golden/testdata/*/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases found (%v)", err)
	}
	var out []input
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if len(ar.Files) == 0 {
			continue
		}
		in := input{name: file, path: ar.Files[0].Name, src: ar.Files[0].Data, pol: defaultPolicy()}
		comment := "\n" + string(ar.Comment)
		if strings.Contains(comment, "\nno-final-newline") {
			in.src = bytes.TrimSuffix(in.src, []byte("\n"))
		}
		for _, mode := range []string{"binds", "off"} {
			if strings.Contains(comment, "--ro-mounts="+mode) {
				in.pol.ROMounts, _ = policy.ParseROMounts(mode)
			}
		}
		for _, f := range ar.Files[1:] {
			if f.Name == config.FileName {
				c, err := config.Parse(f.Name, f.Data)
				if err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				in.pol = c.Apply(in.pol, strings.Contains(comment, "--ro-mounts="))
			}
		}
		out = append(out, in)
	}
	return out
}

// trickyInputs are inputs the golden cases lack: non-ASCII text before and
// on the edited lines (2-, 3- and 4-byte UTF-8, the last two UTF-16 units),
// CRLF line ends, a byte order mark, no final newline.
func trickyInputs() []input {
	compose := "services:\n  wéb:   # ünïcode 😀 ok\n    image: ngïnx😀\n    volumes:\n      - ./ç😀nf.toml:/etc/app/ç😀nf.toml\n    tmpfs: /run\n  db:\n    image: 日本語\n"
	script := "#!/bin/sh\n# 😀 ünïcode\necho 'ü😀' && docker run -d --name 😀 -v \"$PWD/ç😀.conf:/etc/x/ç😀.conf\" redis:7\ndocker run \\\n  --name ü \\\n  img\n"
	var out []input
	flow := "services: {wéb: {image: \"ü😀\"}, db: {image: x, volumes: [./ç😀.conf:/etc/ç😀.conf]}}\n"
	for _, base := range []input{
		{name: "compose", path: "compose.yaml", src: []byte(compose)},
		{name: "shell", path: "run.sh", src: []byte(script)},
		{name: "flow", path: "compose.yaml", src: []byte(flow)}, // edits on line 1, after a BOM
	} {
		crlf := bytes.ReplaceAll(base.src, []byte("\n"), []byte("\r\n"))
		for _, v := range []struct {
			suffix string
			src    []byte
		}{
			{"", base.src},
			{"-crlf", crlf},
			{"-bom", append([]byte("\uFEFF"), base.src...)},
			{"-bom-crlf", append([]byte("\uFEFF"), crlf...)},
			{"-no-eol", bytes.TrimSuffix(base.src, []byte("\n"))},
			{"-crlf-no-eol", bytes.TrimSuffix(crlf, []byte("\r\n"))},
		} {
			out = append(out, input{name: base.name + v.suffix, path: base.path, src: v.src, pol: defaultPolicy()})
		}
	}
	return out
}

// process runs the engine on an input, as the command line does.
func process(in input) *rewrite.Result {
	kind := rewrite.DetectKind(in.path, in.src, true)
	return rewrite.Process(in.path, in.src, kind, in.pol)
}

// findUp looks for rel in the working directory and its parents: the
// shared material sits next to the repository or next to its worktrees.
func findUp(rel string) string {
	dir, _ := os.Getwd()
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func toEngineEdits(edits []Edit) []edit.Edit {
	out := make([]edit.Edit, len(edits))
	for i, e := range edits {
		out[i] = edit.Edit{Start: e.Offset, End: e.End, Text: e.Text}
	}
	return out
}

// corpusInputs returns the real compose files of the shared corpus
// ($ROFIX_CORPUS, or shared/corpus/compose next to the repository or its
// worktree), as compose; none when it is absent.
func corpusInputs(t *testing.T) []input {
	t.Helper()
	dir := os.Getenv("ROFIX_CORPUS")
	if dir == "" {
		dir = findUp("shared/corpus/compose")
	}
	if dir == "" {
		t.Log("corpus not found (set ROFIX_CORPUS): the real files are not checked")
		return nil
	}
	var out []input
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || strings.HasSuffix(path, ".tsv") {
			return err
		}
		src, err := os.ReadFile(path)
		out = append(out, input{name: path, path: "compose.yaml", src: src, pol: defaultPolicy()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d corpus files from %s", len(out), dir)
	return out
}

// defaultPolicy is policy.Default(), read once: it parses the built-in image
// table, which thousands of generated files need not pay for each time.
var defaultPolicy = sync.OnceValue(policy.Default)
