package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/rofix/rofix/rewrite"
)

var update = flag.Bool("update", false, "rewrite the expected JSON of testdata/json/*.txtar")

// readDoc is the JSON document read back without report's own types.
type readDoc struct {
	Version int `json:"version"`
	Files   []struct {
		Path     string          `json:"path"`
		Changed  bool            `json:"changed"`
		Error    json.RawMessage `json:"error"`
		Findings []struct {
			Rule              string
			Line, Column      int
			EndLine           int `json:"end_line"`
			EndColumn         int `json:"end_column"`
			Offset            int
			EndOffset         int `json:"end_offset"`
			Message, Severity string
			Fixed             bool
		} `json:"findings"`
		Edits []struct {
			Offset, End int
			Text        string
			TextBase64  string `json:"text_base64"`
		} `json:"edits"`
	} `json:"files"`
}

// TestJSONEditsReproduceWrite applies each file's JSON edits to the
// original, in order and from the last to the first, and compares with what
// -w writes, on every golden and tricky input and the corpus; and checks the
// findings' lines and columns against their offsets.
func TestJSONEditsReproduceWrite(t *testing.T) {
	for _, in := range append(append(goldenInputs(t), trickyInputs()...), corpusInputs(t)...) {
		res := process(in)
		var buf bytes.Buffer
		if err := WriteJSON(&buf, []File{FromResult(in.path, res)}); err != nil {
			t.Fatal(err)
		}
		var doc readDoc
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatalf("%s: %v", in.name, err)
		}
		f := doc.Files[0]
		if f.Changed != res.Changed() || (string(f.Error) == "null") != (res.Err == nil) {
			t.Errorf("%s: changed %v error %s; result changed %v error %v", in.name, f.Changed, f.Error, res.Changed(), res.Err)
		}
		var out []byte
		reverse := append([]byte(nil), in.src...)
		last := -1
		for i, e := range f.Edits {
			if e.Offset <= last || e.End < e.Offset || e.End > len(in.src) {
				t.Fatalf("%s: edit [%d,%d) out of order or range, or touching the one before", in.name, e.Offset, e.End)
			}
			out = append(append(out, in.src[max(last, 0):e.Offset]...), editText(f.Edits[i].Text, f.Edits[i].TextBase64)...)
			last = e.End
		}
		out = append(out, in.src[max(last, 0):]...)
		for i := len(f.Edits) - 1; i >= 0; i-- {
			e := f.Edits[i]
			reverse = append(append(append([]byte(nil), reverse[:e.Offset]...), editText(e.Text, e.TextBase64)...), reverse[e.End:]...)
		}
		if !bytes.Equal(out, res.Out) || !bytes.Equal(reverse, res.Out) {
			t.Errorf("%s: JSON edits give\n%q\nand from the last\n%q\nwant\n%q", in.name, out, reverse, res.Out)
		}
		for _, fd := range f.Findings {
			lineStart := bytes.LastIndexByte(in.src[:fd.Offset], '\n') + 1
			line := bytes.Count(in.src[:fd.Offset], []byte("\n")) + 1
			if fd.Line != line || fd.Column != fd.Offset-lineStart+1 {
				t.Errorf("%s: finding at offset %d says %d:%d, want %d:%d", in.name, fd.Offset, fd.Line, fd.Column, line, fd.Offset-lineStart+1)
			}
			if fd.EndOffset < fd.Offset || fd.EndLine < fd.Line {
				t.Errorf("%s: finding ends before it starts: %+v", in.name, fd)
			}
		}
	}
}

// TestJSONGolden compares the JSON document of the cases in
// testdata/json/*.txtar: the first section is the input (its name picks the
// engine), "json" the expected document. "go test -update" rewrites them.
func TestJSONGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/json/*.txtar")
	if len(files) == 0 {
		t.Fatal("no cases in testdata/json")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			in := ar.Files[0]
			src := in.Data
			if strings.Contains(string(ar.Comment), "crlf") {
				src = bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n"))
			}
			res := rewrite.Process(in.Name, src, rewrite.DetectKind(in.Name, src, true), defaultPolicy())
			var got bytes.Buffer
			if err := WriteJSON(&got, []File{FromResult(in.Name, res)}); err != nil {
				t.Fatal(err)
			}
			if *update {
				ar.Files = []txtar.File{in, {Name: "json", Data: got.Bytes()}}
				if err := os.WriteFile(file, txtar.Format(ar), 0o666); err != nil {
					t.Fatal(err)
				}
				return
			}
			if len(ar.Files) < 2 || !bytes.Equal(got.Bytes(), ar.Files[1].Data) {
				t.Errorf("JSON differs; got:\n%s", got.Bytes())
			}
		})
	}
}

// TestREADMEExample: the JSON example in the README is what rofix prints
// for the compose file shown above it.
func TestREADMEExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n### JSON\n")
	if !ok {
		t.Fatal("no JSON section in the README")
	}
	block := func(lang string) string {
		_, rest, ok := strings.Cut(section, "\n```"+lang+"\n")
		body, _, ok2 := strings.Cut(rest, "```\n")
		if !ok || !ok2 {
			t.Fatalf("no %s block in the README's JSON section", lang)
		}
		return body
	}
	src := []byte(block("yaml"))
	res := rewrite.Process("compose.yaml", src, rewrite.Compose, defaultPolicy())
	var got bytes.Buffer
	if err := WriteJSON(&got, []File{FromResult("compose.yaml", res)}); err != nil {
		t.Fatal(err)
	}
	if want := block("json"); got.String() != want {
		t.Errorf("the README's example is stale; rofix prints:\n%s", got.String())
	}
}

// TestInvalidUTF8Text: inserted bytes that are not UTF-8 (a Latin-1
// script) travel exactly, as text_base64 in JSON and binary in SARIF.
func TestInvalidUTF8Text(t *testing.T) {
	src := []byte("caf\xe9\n")
	f := File{Path: "x.sh", Kind: "shell", Changed: true, Edits: []Edit{{Offset: 4, End: 4, Text: " \xe9t\xe9"}}}
	f.fix = newIndex(src).replacements(toEngineEdits(f.Edits))
	var j bytes.Buffer
	if err := WriteJSON(&j, []File{f}); err != nil {
		t.Fatal(err)
	}
	var doc readDoc
	if err := json.Unmarshal(j.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if got, _ := base64.StdEncoding.DecodeString(doc.Files[0].Edits[0].TextBase64); string(got) != " \xe9t\xe9" {
		t.Errorf("text_base64 %q", got)
	}
	f.Findings = []Finding{{Rule: "read-only", Fixed: true, Severity: SeverityNote, Start: Position{Line: 1, Column: 1, Column16: 1}, End: Position{Line: 1, Column: 1, Column16: 1}}}
	_, log := sarifOf(t, []File{f})
	rp := log.Runs[0].Results[0].Fixes[0].ArtifactChanges[0].Replacements[0]
	if got, _ := base64.StdEncoding.DecodeString(rp.InsertedContent.Binary); rp.InsertedContent.Text != nil || string(got) != " \xe9t\xe9" {
		t.Errorf("insertedContent %+v", rp.InsertedContent)
	}
}

func editText(text, b64 string) []byte {
	if b64 != "" {
		b, _ := base64.StdEncoding.DecodeString(b64)
		return b
	}
	return []byte(text)
}
