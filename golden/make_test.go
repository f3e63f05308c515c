package golden

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ruleTarget matches the explicit targets of a Makefile's rules.
var ruleTarget = regexp.MustCompile(`(?m)^([A-Za-z0-9_.-]+)\s*:([^=]|$)`)

// addedFlags are the texts the shell engine inserts into a command
// (the opt-in rules' --user UID:GID, --cap-drop ALL and --cap-add CAP too).
var addedFlags = regexp.MustCompile(`(?m)( --read-only| --tmpfs /tmp| --security-opt no-new-privileges| --user [0-9]+:[0-9]+| --cap-drop ALL| --cap-add [A-Z_]+|:ro\b|,ro\b| \\\n\s*--read-only| \\\n\s*--tmpfs /tmp| \\\n\s*--security-opt no-new-privileges|^\s*--read-only \\\n|^\s*--tmpfs /tmp \\\n|^\s*--security-opt no-new-privileges \\\n)`)

// checkMake runs "make -n" on every explicit target of a Makefile before
// and after hardening: make must accept the output, and the commands it
// would run must be the original ones plus the added flags only.
func checkMake(t *testing.T, in, out []byte) {
	t.Helper()
	mk, err := exec.LookPath("make")
	if err != nil {
		t.Log("make not found; skipping make -n")
		return
	}
	var targets []string
	for _, m := range ruleTarget.FindAllSubmatch(in, -1) {
		if name := string(m[1]); !strings.HasPrefix(name, ".") {
			targets = append(targets, name)
		}
	}
	dir := t.TempDir()
	run := func(name string, src []byte) []byte {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(mk, append([]string{"-n", "-f", path, "-C", dir}, targets...)...)
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("make -n on the %s Makefile: %v\n%s", name, err, got)
		}
		return bytes.ReplaceAll(got, []byte(dir), []byte("DIR"))
	}
	before, after := run("input.mk", in), run("output.mk", out)
	if stripped := addedFlags.ReplaceAll(after, nil); !bytes.Equal(stripped, before) {
		t.Errorf("make -n runs other commands than the original plus the added flags:\n--- before\n%s--- after\n%s", before, after)
	}
	if bytes.Equal(before, after) {
		t.Errorf("make -n runs the same commands after hardening")
	}
}
