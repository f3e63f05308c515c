package lsp_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/rofix/rofix/bench/samples"
)

// BenchmarkDidChange measures what an editor waits for after a keystroke
// in the typical 2 KB compose file: from the textDocument/didChange that
// carries the new text (rofix asks for the whole text) to the
// textDocument/publishDiagnostics of that version, through the JSON-RPC
// stream of the server the command line runs ("rofix lsp", in process).
// The file lies in a directory of its own, so the config discovery and
// the tree reads an editor's file costs happen too. Issue 18's goal: 5 ms.
func BenchmarkDidChange(b *testing.B) {
	path := filepath.Join(b.TempDir(), "compose.yaml")
	if err := os.WriteFile(path, []byte(samples.Compose), 0o644); err != nil {
		b.Fatal(err)
	}
	uri := (&url.URL{Scheme: "file", Path: path}).String()
	c, _ := startClient(b)
	c.open(uri, "dockercompose", samples.Compose)
	if len(c.diagnostics(uri)) == 0 {
		b.Fatal("no diagnostics for the sample: it does not exercise the engine")
	}
	version := 1
	for b.Loop() {
		version++
		text := samples.Compose + fmt.Sprintf("# edit %d\n", version)
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": version},
			"contentChanges": []map[string]any{{"text": text}},
		})
		waitDiagnostics(b, c, uri, version)
	}
}

// waitDiagnostics reads the server's messages until the diagnostics of
// version of uri arrive, and requires some.
func waitDiagnostics(b *testing.B, c *client, uri string, version int) {
	for m := range c.msgs {
		if m.Method != "textDocument/publishDiagnostics" {
			continue
		}
		var p publishDiagnosticsParams
		if err := json.Unmarshal(m.Params, &p); err != nil {
			b.Fatal(err)
		}
		if p.URI == uri && p.Version != nil && *p.Version == version {
			if len(p.Diagnostics) == 0 {
				b.Fatalf("version %d: no diagnostics", version)
			}
			return
		}
	}
	b.Fatal("the server closed the stream")
}
