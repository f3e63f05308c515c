package directive

import (
	"reflect"
	"testing"

	"github.com/rofix/rofix/rewrite/finding"
)

func TestParse(t *testing.T) {
	tests := []struct {
		comment string
		ok      bool
		want    Ignore
	}{
		{"# rofix:ignore", true, Ignore{All: true}},
		{"#rofix:ignore", true, Ignore{All: true}},
		{"# rofix:ignore read-only,tmpfs", true, Ignore{Rules: []finding.Rule{finding.ReadOnly, finding.Tmpfs}}},
		{"# rofix:ignore ro-mounts -- the app writes its config", true, Ignore{Rules: []finding.Rule{finding.ROMounts}}},
		{"# rofix:ignore read-only, no-new-privileges", true, Ignore{Rules: []finding.Rule{finding.ReadOnly, finding.NoNewPrivileges}}},
		{"# rofix:ignore readonly", true, Ignore{All: true, Unknown: []string{"readonly"}}},
		{"# rofix:ignore-file", true, Ignore{File: true}},
		{"# rofix:ignore-file generated", true, Ignore{File: true}},
		{"# rofix:ignored", false, Ignore{}},
		{"# see rofix:ignore", false, Ignore{}},
		{"# plain comment", false, Ignore{}},
	}
	for _, tt := range tests {
		got, ok := Parse(tt.comment)
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, %v", tt.comment, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFindInLine(t *testing.T) {
	if _, ok := FindInLine(`  web:  # rofix:ignore`); !ok {
		t.Error("trailing directive not found")
	}
	if _, ok := FindInLine(`  image: "a#rofix:ignore"`); ok {
		t.Error("# inside a word taken as a comment")
	}
}

func TestSkips(t *testing.T) {
	ig, _ := Parse("# rofix:ignore tmpfs")
	if !ig.Skips(finding.Tmpfs) || ig.Skips(finding.ReadOnly) {
		t.Errorf("%+v skips the wrong rules", ig)
	}
}
