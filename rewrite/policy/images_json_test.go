package policy

import (
	"bytes"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "remake images_table.go and evidence.json from images/*.yaml")

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

// TestBuiltinJSON checks that the embedded evidence.json is the evidence
// of the facts of images/*.yaml, read and checked by ParseTable, by entry
// and tag range; with -update it remakes it.
func TestBuiltinJSON(t *testing.T) {
	evidence := map[string]map[string]map[string][]string{}
	for _, e := range readSources(t) {
		byRange := map[string]map[string][]string{}
		if len(e.Evidence) > 0 {
			byRange[""] = e.Evidence
		}
		for _, r := range e.Ranges {
			if len(r.Evidence) > 0 {
				byRange[r.Versions] = r.Evidence
			}
		}
		if len(byRange) > 0 {
			evidence[e.Name] = byRange
		}
	}
	want, err := json.MarshalIndent(evidence, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if *update {
		if err := os.WriteFile("evidence.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(evidenceJSON, want) {
		t.Fatal("evidence.json is not made from images/*.yaml: run go test ./rewrite/policy -run TestBuiltin -update")
	}
}

// TestAttachEvidence: the built-in entries get the evidence of their own
// facts and of their ranges' facts; a config entry of the same name does
// not.
func TestAttachEvidence(t *testing.T) {
	own := map[string][]string{"tmpfs /run/postgresql": {`docker-library/postgres@6edb0a8 17/bookworm/Dockerfile#L177 "mkdir -p /var/run/postgresql"`}}
	old := map[string][]string{"image_volume /var/lib/postgresql/data": {`docker-library/postgres@6edb0a8 17/bookworm/Dockerfile#L186 "VOLUME /var/lib/postgresql/data"`}}
	all := map[string]map[string]map[string][]string{"postgres": {"": own, "<18": old}}
	k := Builtin()
	k.attachEvidence(all)
	n := k.Lookup("postgres:16")
	want := map[string][]string{}
	maps.Copy(want, own)
	maps.Copy(want, old)
	if !reflect.DeepEqual(n.Entries[0].Evidence, want) {
		t.Errorf("postgres:16: evidence %v, want %v", n.Entries[0].Evidence, want)
	}
	if n := k.Lookup("postgres:18"); !reflect.DeepEqual(n.Entries[0].Evidence, own) {
		t.Errorf("postgres:18: evidence %v, want only the entry's own %v", n.Entries[0].Evidence, own)
	}
	mine := Builtin().With([]*ImageEntry{{Name: "postgres", Match: []string{"postgres"}, Verdict: Works}})
	mine.attachEvidence(all)
	if e := mine.Entries[0]; e.Evidence != nil {
		t.Errorf("a config entry named postgres got the built-in evidence: %v", e.Evidence)
	}
	Builtin().AttachEvidence() // the embedded evidence.json decodes
}
