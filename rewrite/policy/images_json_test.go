package policy

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "remake images.json from images/*.yaml")

// readSources reads the table's source files, images/*.yaml in the order
// of their names, each checked by ParseTable.
func readSources(t *testing.T) []*ImageEntry {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("images", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no images/*.yaml: %v", err)
	}
	var entries []*ImageEntry
	for _, f := range files {
		entries = append(entries, readSource(t, f)...)
	}
	return entries
}

// readSource reads one source file of the table.
func readSource(t *testing.T, file string) []*ImageEntry {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseTable(src)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return k.Entries
}

// TestBuiltinJSON checks that the embedded images.json is images/*.yaml,
// read and checked by ParseTable, one entry per line; with -update it
// remakes it.
func TestBuiltinJSON(t *testing.T) {
	entries := readSources(t)
	var want bytes.Buffer
	want.WriteString("[\n")
	for i, e := range entries {
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		want.Write(line)
		if i < len(entries)-1 {
			want.WriteString(",")
		}
		want.WriteString("\n")
	}
	want.WriteString("]\n")
	if *update {
		if err := os.WriteFile("images.json", want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(builtinJSON, want.Bytes()) {
		t.Fatal("images.json is not made from images/*.yaml: run go test ./rewrite/policy -run TestBuiltinJSON -update")
	}
}
