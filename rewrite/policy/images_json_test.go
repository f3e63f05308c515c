package policy

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "remake images.json from images.yaml")

// TestBuiltinJSON checks that the embedded images.json is images.yaml,
// read and checked by ParseTable, one entry per line; with -update it
// remakes it.
func TestBuiltinJSON(t *testing.T) {
	src, err := os.ReadFile("images.yaml")
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseTable(src)
	if err != nil {
		t.Fatalf("images.yaml: %v", err)
	}
	var want bytes.Buffer
	want.WriteString("[\n")
	for i, e := range k.Entries {
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		want.Write(line)
		if i < len(k.Entries)-1 {
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
		t.Fatal("images.json is not made from images.yaml: run go test ./rewrite/policy -run TestBuiltinJSON -update")
	}
}
