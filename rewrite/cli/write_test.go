package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteAtomic(t *testing.T) {
	const src, out = "old\n", "new\n"
	tests := []struct {
		name    string
		setup   func(t *testing.T, path string) string // returns the path to write
		wantErr string
		want    string // content of the file afterwards
	}{
		{"writes and keeps the mode", func(t *testing.T, p string) string {
			os.Chmod(p, 0o640)
			return p
		}, "", out},
		{"file changed since read", func(t *testing.T, p string) string {
			os.WriteFile(p, []byte("edited by someone else\n"), 0o644)
			return p
		}, "changed since rofix read it", "edited by someone else\n"},
		{"read-only file", func(t *testing.T, p string) string {
			os.Chmod(p, 0o444)
			return p
		}, "read-only", src},
		{"symlink", func(t *testing.T, p string) string {
			link := filepath.Join(filepath.Dir(p), "link.yaml")
			os.Symlink(p, link)
			return link
		}, "no longer a regular file", src},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "compose.yaml")
			os.WriteFile(path, []byte(src), 0o644)
			target := tt.setup(t, path)
			info, _ := os.Stat(path)
			err := writeAtomic(target, []byte(src), []byte(out), info.Mode())
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if got, _ := os.ReadFile(path); string(got) != tt.want {
				t.Errorf("content %q, want %q", got, tt.want)
			}
			if after, _ := os.Stat(path); after.Mode() != info.Mode() {
				t.Errorf("mode %v, want %v", after.Mode(), info.Mode())
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".*rofix-*")); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

// TestReadOnlyDirectory checks that a directory rofix may not write leaves
// the original intact. Root ignores permission bits, so it skips as root.
func TestReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: directory permissions do not apply")
	}
	dir := t.TempDir()
	path := write(t, filepath.Join(dir, "ro", "compose.yaml"), goodCompose)
	os.Chmod(filepath.Dir(path), 0o555)
	defer os.Chmod(filepath.Dir(path), 0o755)
	status, stderr := runWithWatchdog(t, []string{"-w", dir})
	if status != ExitError || !strings.Contains(stderr, "not written") {
		t.Errorf("status %d, stderr %q", status, stderr)
	}
	if got, _ := os.ReadFile(path); string(got) != goodCompose {
		t.Errorf("original changed: %q", got)
	}
}
