package lsp_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildRofix builds the rofix command into a temporary directory.
func buildRofix(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "rofix")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/rofix/rofix/cmd/rofix").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// A real client: headless Neovim (Debian's package) attaches `rofix lsp`
// to a compose file and a script, shows rofix's diagnostics at the right
// byte columns after Neovim's own UTF-16 conversion, and applies the
// formatting edits and the source.fixAll.rofix action; the buffer it
// writes is what `rofix --stdin-filename` prints.
func TestNeovim(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nvim is not installed (.ci/run installs Debian's neovim)")
		}
		t.Skip("nvim is not installed: apt-get install neovim")
	}
	rofix := buildRofix(t)
	for _, tc := range []struct {
		name, file, text, mode string
		diags                  []string // line:col:end_line:end_col:rule:severity, bytes, 0-based
	}{
		{"compose format", "compose.yaml", composeText, "format", []string{
			"1:2:1:5:no-new-privileges:2", "1:2:1:5:read-only:2", "1:2:1:5:tmpfs:2",
			"3:14:3:51:ro-mounts:2", "3:53:3:65:ro-mounts:2",
			"4:2:4:4:no-new-privileges:2", "4:2:4:4:read-only:2", "4:2:4:4:tmpfs:2",
		}},
		{"compose fixall", "compose.yaml", composeText, "fixall", nil},
		{"script format", "run.sh", scriptText, "format", []string{
			"1:15:1:25:no-new-privileges:2", "1:15:1:25:read-only:2", "1:15:1:25:tmpfs:2",
		}},
		{"script fixall", "run.sh", scriptText, "fixall", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, tc.file)
			if err := os.WriteFile(file, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			out, diags := filepath.Join(dir, "out"), filepath.Join(dir, "diags")
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, nvim, "--headless", "--clean", "-n", "-i", "NONE",
				"-c", "luafile "+filepath.Join(mustAbs(t, "testdata"), "nvim.lua"), file)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "ROFIX="+rofix, "ROFIX_OUT="+out, "ROFIX_DIAGS="+diags,
				"ROFIX_MODE="+tc.mode, "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir,
				"XDG_STATE_HOME="+dir, "XDG_CACHE_HOME="+dir)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("nvim: %v\n%s", err, b)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := stdinMode(t, tc.file, tc.text)
			if string(got) != want {
				t.Errorf("Neovim wrote\n%s\nrofix --stdin-filename prints\n%s", got, want)
			}
			if tc.diags != nil {
				b, err := os.ReadFile(diags)
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Fields(string(b)); strings.Join(got, " ") != strings.Join(tc.diags, " ") {
					t.Errorf("Neovim's diagnostics\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.diags, "\n"))
				}
			}
		})
	}
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
