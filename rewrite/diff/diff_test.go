package diff

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	tests := []struct {
		name, a, b, want string
	}{
		{"equal", "a\n", "a\n", ""},
		{"insert", "a\nb\nc\n", "a\nb\nX\nc\n", "--- a/f\n+++ b/f\n@@ -1,3 +1,4 @@\n a\n b\n+X\n c\n"},
		{"no final newline", "a\nb", "a\nb:ro",
			"--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b:ro\n\\ No newline at end of file\n"},
		{"crlf kept", "a\r\nb\r\n", "a\r\nX\r\nb\r\n", "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\r\n+X\r\n b\r\n"},
		{"empty old", "", "x\n", "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Unified("a/f", "b/f", []byte(tt.a), []byte(tt.b)))
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestMatchesGNUDiff compares the hunks with diff -u on inputs with distant
// and nearby changes, when GNU diff is installed.
func TestMatchesGNUDiff(t *testing.T) {
	gnu, err := exec.LookPath("diff")
	if err != nil {
		t.Skip("diff not installed")
	}
	var a, b strings.Builder
	for i := range 60 {
		line := "line " + strings.Repeat("x", i%7) + "\n"
		a.WriteString(line)
		switch {
		case i == 3, i == 9, i == 40:
			b.WriteString("inserted\n")
			b.WriteString(line)
		case i == 20:
			b.WriteString("changed\n")
		case i == 59:
		default:
			b.WriteString(line)
		}
	}
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.WriteFile(pa, []byte(a.String()), 0o666)
	os.WriteFile(pb, []byte(b.String()), 0o666)
	out, _ := exec.Command(gnu, "-u", "--label", "a/f", "--label", "b/f", pa, pb).Output()
	got := Unified("a/f", "b/f", []byte(a.String()), []byte(b.String()))
	if string(got) != string(out) {
		t.Errorf("differs from diff -u:\n--- ours\n%s\n--- GNU\n%s", got, out)
	}
}
