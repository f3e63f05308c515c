package lsp_test

import (
	"strings"
	"testing"

	"github.com/rofix/rofix/golden/cases"
)

// The fixtures put non-ASCII text (a two-byte é, a four-byte emoji that is
// two UTF-16 code units) before an edit on the same line, so a column
// counted in the wrong unit lands elsewhere.
const (
	scriptURI  = "file:///work/deploy%20scripts/run.sh"
	scriptText = "#!/bin/sh\necho \"é😀\"; docker run --rm example/app true\n"

	composeURI  = "file:///srv/app/compose.yaml"
	composeText = "services:\n" +
		"  web:  # café ☕\n" +
		"    image: example/web\n" +
		"    volumes: [\"./é😀/app.conf:/etc/app/app.conf\", ./data:/data]\n" +
		"  db:\n" +
		"    image: example/db\n"
)

func TestInitializeNegotiatesThePositionEncoding(t *testing.T) {
	for _, tc := range []struct {
		offered []string
		want    string
	}{
		{nil, "utf-16"},
		{[]string{}, "utf-16"},
		{[]string{"utf-16"}, "utf-16"},
		{[]string{"utf-32", "utf-16"}, "utf-16"},
		{[]string{"utf-8"}, "utf-8"},
		{[]string{"utf-16", "utf-8"}, "utf-8"},
	} {
		c, result := startClient(t, tc.offered...)
		caps := result["capabilities"].(map[string]any)
		if got := caps["positionEncoding"]; got != tc.want {
			t.Errorf("offered %q: positionEncoding %v, want %s", tc.offered, got, tc.want)
		}
		if caps["documentFormattingProvider"] != true {
			t.Errorf("formatting not announced: %v", caps)
		}
		kinds := caps["codeActionProvider"].(map[string]any)["codeActionKinds"]
		if !strings.Contains(strings.Join(toStrings(kinds), ","), "source.fixAll.rofix") {
			t.Errorf("codeActionKinds %v lack source.fixAll.rofix", kinds)
		}
		if err := c.shutdown(); err != nil {
			t.Errorf("Serve after shutdown and exit: %v", err)
		}
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// A diagnostic per finding, with exact ranges in the negotiated encoding.
func TestDiagnosticsRanges(t *testing.T) {
	for _, tc := range []struct {
		enc  string
		want []Range // the script's three findings span "docker run"
	}{
		// echo "é😀"; is 12 UTF-16 code units and 15 bytes.
		{"utf-16", []Range{{Start: Position{1, 12}, End: Position{1, 22}}}},
		{"utf-8", []Range{{Start: Position{1, 15}, End: Position{1, 25}}}},
	} {
		c, _ := startClient(t, tc.enc)
		c.open(scriptURI, "sh", scriptText)
		diags := c.diagnostics(scriptURI)
		var rules []string
		for _, d := range diags {
			rules = append(rules, d.Code)
			if d.Range != tc.want[0] {
				t.Errorf("%s: %s diagnostic at %+v, want %+v", tc.enc, d.Code, d.Range, tc.want[0])
			}
			if d.Source != "rofix" || d.Severity != 2 || d.Message == "" {
				t.Errorf("%s: diagnostic %+v: want source rofix, severity warning, a message", tc.enc, d)
			}
		}
		if got := strings.Join(rules, ","); got != "no-new-privileges,read-only,tmpfs" {
			t.Errorf("%s: rules %s", tc.enc, got)
		}

		c.open(composeURI, "yaml", composeText)
		var ro []Diagnostic
		for _, d := range c.diagnostics(composeURI) {
			if d.Code == "ro-mounts" {
				ro = append(ro, d)
			}
		}
		// The config bind gets :ro; ./data stays writable, for a person
		// to decide: both are warnings.
		want16 := []Range{{Position{3, 14}, Position{3, 48}}, {Position{3, 50}, Position{3, 62}}}
		want8 := []Range{{Position{3, 14}, Position{3, 51}}, {Position{3, 53}, Position{3, 65}}}
		want := want16
		if tc.enc == "utf-8" {
			want = want8
		}
		if len(ro) != 2 || ro[0].Range != want[0] || ro[1].Range != want[1] || ro[0].Severity != 2 || ro[1].Severity != 2 {
			t.Errorf("%s: ro-mounts diagnostics %+v, want ranges %+v, warnings", tc.enc, ro, want)
		}
	}
}

// Formatting returns the edits that turn the document into exactly what
// `rofix --stdin-filename` writes, in either encoding.
func TestFormattingEqualsStdinMode(t *testing.T) {
	for _, enc := range []string{"utf-16", "utf-8"} {
		c, _ := startClient(t, enc)
		c.open(scriptURI, "sh", scriptText)
		edits, err := c.format(scriptURI)
		if err != nil {
			t.Fatal(err)
		}
		// One insertion after "run": 22 UTF-16 code units or 25 bytes in.
		col := map[string]int{"utf-16": 22, "utf-8": 25}[enc]
		want := TextEdit{Range: Range{Start: Position{1, col}, End: Position{1, col}}, NewText: " --read-only --tmpfs /tmp --security-opt no-new-privileges"}
		if len(edits) != 1 || edits[0] != want {
			t.Errorf("%s: edits %+v, want %+v", enc, edits, want)
		}
		out, _ := stdinMode(t, "run.sh", scriptText)
		if got := apply(t, scriptText, edits, encoding(enc)); got != out {
			t.Errorf("%s: formatted\n%s\nstdin mode\n%s", enc, got, out)
		}
	}
}

// Every golden input, through the server in both encodings: the
// formatting edits reproduce stdin mode byte for byte, and a refused input
// is refused by both.
func TestFormattingEqualsStdinModeOnGoldenInputs(t *testing.T) {
	for _, kind := range []struct{ dir, name, uri, lang string }{
		{"compose", "compose.yaml", "file:///g/compose.yaml", "yaml"},
		{"shell", "x.sh", "file:///g/x.sh", "sh"},
	} {
		inputs, err := cases.Inputs("../../golden", kind.dir)
		if err != nil || len(inputs) == 0 {
			t.Fatalf("golden inputs: %v (%d)", err, len(inputs))
		}
		for _, enc := range []string{"utf-16", "utf-8"} {
			c, _ := startClient(t, enc)
			for i, in := range inputs {
				text := string(in)
				uri := kind.uri + "?" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
				c.open(uri, kind.lang, text)
				edits, err := c.format(uri)
				want, ok := stdinMode(t, kind.name, text)
				switch {
				case !ok && err == nil && len(edits) > 0:
					t.Errorf("%s #%d (%s): stdin mode refuses it, formatting returned %d edits", kind.dir, i, enc, len(edits))
				case ok && err != nil:
					t.Errorf("%s #%d (%s): formatting failed: %v", kind.dir, i, enc, err)
				case ok:
					if got := apply(t, text, edits, encoding(enc)); got != want {
						t.Errorf("%s #%d (%s): formatting gives\n%q\nstdin mode gives\n%q", kind.dir, i, enc, got, want)
					}
				}
				c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri}})
			}
		}
	}
}
