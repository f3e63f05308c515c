package lsp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigGovernsDocuments: a document gets the policy of the
// .rofix.yaml that governs its file, as stdin mode does; an edit to the
// config applies to the next analysis; a config with errors turns into an
// error diagnostic and no formatting edits.
func TestConfigGovernsDocuments(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, ".rofix.yaml")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("rules:\n  no-new-privileges: false\n")
	name := filepath.Join(dir, "compose.yaml")
	uri := "file://" + name
	const text = "services:\n  web:\n    image: example/web\n"

	c, _ := startClient(t)
	c.open(uri, "yaml", text)
	edits, err := c.format(uri)
	if err != nil {
		t.Fatal(err)
	}
	got := apply(t, text, edits, utf16Encoding)
	want, ok := stdinMode(t, name, text)
	if !ok || got != want {
		t.Errorf("formatting under the config:\n%s\nstdin mode:\n%s", got, want)
	}
	if !strings.Contains(got, "read_only: true") || strings.Contains(got, "no-new-privileges") {
		t.Errorf("the config's rule switch did not apply:\n%s", got)
	}

	write("rules:\n  no-new-privileges: nope\n")
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{map[string]any{"text": text}},
	})
	diags := c.diagnostics(uri)
	if len(diags) != 1 || diags[0].Severity != 1 || !strings.Contains(diags[0].Message, ".rofix.yaml") {
		t.Errorf("with a bad config: %+v; want one error naming .rofix.yaml", diags)
	}
	if edits, err := c.format(uri); err != nil || len(edits) != 0 {
		t.Errorf("formatting under a bad config: %v, %+v; want no edits", err, edits)
	}
}
