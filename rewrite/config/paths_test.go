package config

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSelect: include and exclude, relative to the config file's directory;
// exclude wins; a pattern matching a directory is seen by the walk there.
func TestSelect(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, FileName)
	src := "include:\n  - tests/e2e/compose.yml\n  - ./fixtures/**\nexclude:\n  - legacy\n  - fixtures/broken/**\n"
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path               string
		included, excluded int // the pattern's line, 0 for none
	}{
		{"tests/e2e/compose.yml", 2, 0},
		{"tests/e2e/other.yml", 0, 0},
		{"fixtures/a/compose.yml", 3, 0},
		{"fixtures/broken/compose.yml", 0, 6}, // exclude wins
		{"legacy", 0, 5},
		{"sub/legacy", 0, 0}, // anchored at the config's directory
		{"../outside/tests/e2e/compose.yml", 0, 0},
	}
	for _, tt := range tests {
		s := c.Select(filepath.Join(dir, filepath.FromSlash(tt.path)))
		if got := line(s.Included); got != tt.included {
			t.Errorf("Select(%s).Included at line %d, want %d", tt.path, got, tt.included)
		}
		if got := line(s.Excluded); got != tt.excluded {
			t.Errorf("Select(%s).Excluded at line %d, want %d", tt.path, got, tt.excluded)
		}
	}
	for d, want := range map[string]bool{"tests": true, "tests/e2e": true, "tests/unit": false, "fixtures": true, "other": false} {
		if got := c.IncludesUnder(filepath.Join(dir, d)); got != want {
			t.Errorf("IncludesUnder(%s) = %v, want %v", d, got, want)
		}
	}
	if got, want := c.Describe(&c.Exclude[0]), cfg+":5 (legacy)"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
}

func line(g *PathGlob) int {
	if g == nil {
		return 0
	}
	return g.Line
}
