package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"testing"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rofix/rofix/rewrite/finding"
)

// The parts of a SARIF log these tests read back, decoded independently of
// the types sarif.go writes with.
type readLog struct {
	Version string `json:"version"`
	Runs    []struct {
		ColumnKind  string `json:"columnKind"`
		Invocations []struct {
			Notifications []struct {
				AssociatedRule *struct {
					ID    string `json:"id"`
					Index int    `json:"index"`
				} `json:"associatedRule"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
		Tool struct {
			Driver struct {
				Rules []struct {
					ID               string  `json:"id"`
					ShortDescription readMsg `json:"shortDescription"`
					FullDescription  readMsg `json:"fullDescription"`
					Help             readMsg `json:"help"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string  `json:"ruleId"`
			RuleIndex int     `json:"ruleIndex"`
			Level     string  `json:"level"`
			Message   readMsg `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation readArtifact `json:"artifactLocation"`
					Region           readRegion   `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			Fixes []struct {
				ArtifactChanges []struct {
					ArtifactLocation readArtifact `json:"artifactLocation"`
					Replacements     []struct {
						DeletedRegion   readRegion `json:"deletedRegion"`
						InsertedContent *struct {
							Text   *string `json:"text"`
							Binary string  `json:"binary"`
						} `json:"insertedContent"`
					} `json:"replacements"`
				} `json:"artifactChanges"`
			} `json:"fixes"`
		} `json:"results"`
	} `json:"runs"`
}

type readMsg struct {
	Text string `json:"text"`
}

type readArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type readRegion struct {
	StartLine, StartColumn, EndLine, EndColumn int
	ByteOffset, ByteLength                     int
}

func sarifOf(t *testing.T, files []File) ([]byte, readLog) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, files, SARIFOptions{Root: "/src/repo"}); err != nil {
		t.Fatal(err)
	}
	var log readLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return buf.Bytes(), log
}

// allFiles runs every golden and tricky input, plus a file rofix cannot
// read, one it cannot parse and one it skips, each under its own path.
func allFiles(t *testing.T) ([]File, []input) {
	inputs := append(goldenInputs(t), trickyInputs()...)
	var files []File
	for i, in := range inputs {
		files = append(files, FromResult(fmt.Sprintf("case %d/%s", i, in.path), process(in)))
	}
	files = append(files,
		Failed("unreadable/compose.yaml", "compose", errors.New("permission denied")),
		FromResult("bad/compose.yaml", process(input{path: "compose.yaml", src: []byte("services:\n  web:\n image: [x\n")})),
		Skipped("link/compose.yaml", "symlink not followed"))
	return files, inputs
}

// TestSARIFValidates checks the log against the official SARIF 2.1.0 schema
// (../shared/schemas, or $ROFIX_SCHEMAS), formats asserted.
func TestSARIFValidates(t *testing.T) {
	path := os.Getenv("ROFIX_SCHEMAS")
	if path == "" {
		path = findUp("shared/schemas")
	}
	path += "/sarif-schema-2.1.0.json"
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("SARIF schema not found (%v); set ROFIX_SCHEMAS to the directory holding sarif-schema-2.1.0.json", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(SARIFSchema, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(SARIFSchema)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := allFiles(t)
	for _, set := range [][]File{files, nil} {
		out, _ := sarifOf(t, set)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("SARIF log of %d files does not validate: %v", len(set), err)
		}
	}
}

// TestSARIFRules: one descriptor per rule id, each with the three texts;
// every result points at its rule's descriptor.
func TestSARIFRules(t *testing.T) {
	files, _ := allFiles(t)
	_, log := sarifOf(t, files)
	run := log.Runs[0]
	ids := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		if _, dup := ids[r.ID]; dup {
			t.Errorf("rule %s described twice", r.ID)
		}
		ids[r.ID] = i
		if r.ShortDescription.Text == "" || r.FullDescription.Text == "" || r.Help.Text == "" {
			t.Errorf("rule %s lacks a description or help: %+v", r.ID, r)
		}
	}
	want := []finding.Rule{finding.ReadOnly, finding.Tmpfs, finding.NoNewPrivileges, finding.ROMounts, finding.Directive, finding.Unsupported, finding.Syntax}
	for _, r := range finding.Rules {
		want = append(want, r.ID)
	}
	for _, id := range want {
		if _, ok := ids[string(id)]; !ok {
			t.Errorf("no descriptor for rule %s", id)
		}
	}
	levels := map[string]bool{}
	for _, res := range run.Results {
		if i, ok := ids[res.RuleID]; !ok || i != res.RuleIndex {
			t.Errorf("result of rule %s has ruleIndex %d, descriptor at %d", res.RuleID, res.RuleIndex, i)
		}
		levels[res.Level] = true
	}
	for _, l := range []string{"note", "warning", "error"} {
		if !levels[l] {
			t.Errorf("no result of level %s among the cases", l)
		}
	}
	// An error without a position is a notification naming its rule, as
	// the text output's line does.
	notes := run.Invocations[0].Notifications
	if len(notes) == 0 || notes[0].AssociatedRule == nil || notes[0].AssociatedRule.ID != string(finding.Unsupported) ||
		notes[0].AssociatedRule.Index != ids[string(finding.Unsupported)] {
		t.Errorf("the unreadable file's notification does not name rule unsupported: %+v", notes)
	}
	if run.ColumnKind != "utf16CodeUnits" {
		t.Errorf("columnKind %q", run.ColumnKind)
	}
}

// TestSARIFFixesReproduceWrite applies each file's fixes the way a SARIF
// consumer does, by lines and UTF-16 columns (and, separately, by byte
// offsets), and compares with what -w writes: on the golden inputs, inputs
// with non-ASCII text, CRLF and BOMs, and the real files of the corpus.
func TestSARIFFixesReproduceWrite(t *testing.T) {
	inputs := append(append(goldenInputs(t), trickyInputs()...), corpusInputs(t)...)
	changed := 0
	for _, in := range inputs {
		res := process(in)
		_, log := sarifOf(t, []File{FromResult(in.path, res)})
		var reps []rep
		fixes := 0
		for _, r := range log.Runs[0].Results {
			for _, fix := range r.Fixes {
				fixes++
				for _, ch := range fix.ArtifactChanges {
					if uri, err := url.PathUnescape(ch.ArtifactLocation.URI); err != nil || uri != in.path || ch.ArtifactLocation.URIBaseID != SrcRoot {
						t.Errorf("%s: fix for %+v", in.name, ch.ArtifactLocation)
					}
					for _, r := range ch.Replacements {
						text := ""
						if c := r.InsertedContent; c != nil && c.Text != nil {
							text = *c.Text
						} else if c != nil {
							b, _ := base64.StdEncoding.DecodeString(c.Binary)
							text = string(b)
						}
						reps = append(reps, rep{r.DeletedRegion, text})
					}
				}
			}
		}
		if !res.Changed() {
			if fixes != 0 {
				t.Errorf("%s: unchanged but %d fixes", in.name, fixes)
			}
			continue
		}
		changed++
		if fixes != 1 {
			t.Errorf("%s: %d fixes, want one holding every edit", in.name, fixes)
		}
		got, err := applyByLines(in.src, reps)
		if err != nil {
			t.Errorf("%s: %v", in.name, err)
		} else if !bytes.Equal(got, res.Out) {
			t.Errorf("%s: fixes applied by line and column give\n%q\nwant\n%q", in.name, got, res.Out)
		}
		if got, err := applyByBytes(in.src, reps); err != nil || !bytes.Equal(got, res.Out) {
			t.Errorf("%s: fixes applied by byte offsets: %v\n%q", in.name, err, got)
		}
	}
	if changed < 20 {
		t.Errorf("only %d inputs change; the test proves little", changed)
	}
}

type rep struct {
	region readRegion
	text   string
}

// applyByLines applies replacements located by line and UTF-16 column, as
// SARIF defines them: lines end at "\r\n" or "\n" (the default
// newlineSequences), a byte order mark is not a character, a column past
// the line's end or inside a surrogate pair is an error, and replacements
// must not overlap.
func applyByLines(src []byte, reps []rep) ([]byte, error) {
	type span struct {
		start, end int
		text       string
	}
	var spans []span
	for _, r := range reps {
		s, err := offsetOf(src, r.region.StartLine, r.region.StartColumn)
		if err != nil {
			return nil, fmt.Errorf("start of %+v: %v", r.region, err)
		}
		e, err := offsetOf(src, r.region.EndLine, r.region.EndColumn)
		if err != nil {
			return nil, fmt.Errorf("end of %+v: %v", r.region, err)
		}
		spans = append(spans, span{s, e, r.text})
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var out []byte
	last := 0
	for _, s := range spans {
		if s.start < last || s.end < s.start {
			return nil, fmt.Errorf("replacements overlap or run backwards at byte %d", s.start)
		}
		out = append(append(out, src[last:s.start]...), s.text...)
		last = s.end
	}
	return append(out, src[last:]...), nil
}

func offsetOf(src []byte, line, col int) (int, error) {
	start := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(src[start:], '\n')
		if i < 0 {
			return 0, fmt.Errorf("no line %d", line)
		}
		start += i + 1
	}
	end := len(src)
	if i := bytes.IndexByte(src[start:], '\n'); i >= 0 {
		end = start + i
		if end > start && src[end-1] == '\r' {
			end--
		}
	}
	pos := start
	if line == 1 && bytes.HasPrefix(src, []byte("\uFEFF")) {
		pos += 3
	}
	for c := 1; c < col; {
		if pos >= end {
			return 0, fmt.Errorf("column %d past the end of line %d", col, line)
		}
		r, n := utf8.DecodeRune(src[pos:])
		c++
		if r >= 0x10000 {
			c++
		}
		pos += n
		if c > col {
			return 0, fmt.Errorf("column %d inside a surrogate pair", col)
		}
	}
	return pos, nil
}

// applyByBytes applies replacements by their byteOffset and byteLength.
func applyByBytes(src []byte, reps []rep) ([]byte, error) {
	sorted := append([]rep(nil), reps...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].region.ByteOffset < sorted[j].region.ByteOffset })
	var out []byte
	last := 0
	for _, r := range sorted {
		s, e := r.region.ByteOffset, r.region.ByteOffset+r.region.ByteLength
		if s < last || e > len(src) {
			return nil, fmt.Errorf("bad byte region %+v", r.region)
		}
		out = append(append(out, src[last:s]...), r.text...)
		last = e
	}
	return append(out, src[last:]...), nil
}

// TestSARIFColumnsUTF16 pins columns on a line with non-ASCII text,
// counted by hand: "      - ./ç😀nf.toml:/etc/app/ç😀nf.toml" is 40
// UTF-16 code units (ç is one, 😀 two) and 46 bytes, so ":ro" is inserted
// at UTF-16 column 41, byte column 47.
func TestSARIFColumnsUTF16(t *testing.T) {
	for _, in := range trickyInputs() {
		if in.name != "compose" && in.name != "compose-crlf" && in.name != "compose-bom" {
			continue
		}
		f := FromResult(in.path, process(in))
		_, log := sarifOf(t, []File{f})
		found := false
		for _, r := range log.Runs[0].Results {
			for _, fix := range r.Fixes {
				for _, rp := range fix.ArtifactChanges[0].Replacements {
					if rp.DeletedRegion.StartLine == 5 {
						found = true
						if rp.DeletedRegion.StartColumn != 41 || rp.DeletedRegion.EndColumn != 41 {
							t.Errorf("%s: :ro inserted at UTF-16 columns %d-%d, want 41", in.name, rp.DeletedRegion.StartColumn, rp.DeletedRegion.EndColumn)
						}
					}
				}
			}
		}
		if !found {
			t.Errorf("%s: no replacement on line 5", in.name)
		}
		for _, fd := range f.Findings {
			if fd.Rule == finding.ROMounts && fd.Fixed && fd.End.Column != 47 {
				t.Errorf("%s: ro-mounts finding ends at byte column %d, want 47", in.name, fd.End.Column)
			}
		}
	}
}

// TestReplacementsKeepCRLFWhole: an edit that splits a "\r\n" (here,
// inserted between them, and one deleting the "\r") is widened so that no
// SARIF position falls inside the newline sequence, and the content stays
// exactly the same.
func TestReplacementsKeepCRLFWhole(t *testing.T) {
	src := []byte("a\r\nb\r\nc")
	for _, edits := range [][]Edit{
		{{Offset: 2, End: 2, Text: "X"}},
		{{Offset: 1, End: 2, Text: ""}, {Offset: 2, End: 2, Text: "Y"}},
		{{Offset: 2, End: 2, Text: "1"}, {Offset: 2, End: 2, Text: "2"}, {Offset: 4, End: 5, Text: "\n"}},
	} {
		var want []byte
		last := 0
		for _, e := range edits {
			want = append(append(want, src[last:e.Offset]...), e.Text...)
			last = e.End
		}
		want = append(want, src[last:]...)
		ix := newIndex(src)
		var reps []rep
		for _, r := range ix.replacements(toEngineEdits(edits)) {
			if ix.inNewline(r.start.Offset) || ix.inNewline(r.end.Offset) {
				t.Errorf("%v: replacement bound inside CRLF: %+v", edits, r)
			}
			reps = append(reps, rep{*regionOf(r), r.text})
		}
		got, err := applyByLines(src, reps)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%v: got %q (%v), want %q", edits, got, err, want)
		}
	}
}

func regionOf(r replacement) *readRegion {
	g := spanRegion(r.start, r.end)
	return &readRegion{g.StartLine, g.StartColumn, g.EndLine, g.EndColumn, g.ByteOffset, g.ByteLength}
}
