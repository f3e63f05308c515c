package trial

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStaleProject: a project is stale only when its scratch directory is
// here and its pid file names a process that is gone; a project of a trial
// elsewhere (no directory here) or still running is never removed.
func TestStaleProject(t *testing.T) {
	scratch := t.TempDir()
	dir := filepath.Join(scratch, "o")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gone := func(int) bool { return false }
	running := func(int) bool { return true }
	if staleProject(dir, gone) {
		t.Error("no pid file: stale")
	}
	if err := os.WriteFile(filepath.Join(scratch, pidFile), []byte("4242\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !staleProject(dir, gone) {
		t.Error("pid gone: not stale")
	}
	if staleProject(dir, running) {
		t.Error("pid running: stale")
	}
	if staleProject(filepath.Join(t.TempDir(), "elsewhere", "o"), gone) {
		t.Error("a directory that is not here: stale")
	}
	if !processAlive(os.Getpid()) {
		t.Error("processAlive(own pid) = false")
	}
}

// TestParseLabels reads both spellings of ps --format '{{json .Labels}}'.
func TestParseLabels(t *testing.T) {
	for line, want := range map[string]string{
		`"com.docker.compose.project=rofixtry1o,com.docker.compose.project.working_dir=/tmp/x/o"`:         "rofixtry1o /tmp/x/o",
		`{"com.docker.compose.project":"rofixtry1o","com.docker.compose.project.working_dir":"/tmp/x/o"}`: "rofixtry1o /tmp/x/o",
	} {
		m := parseLabels([]byte(line))
		if got := m["com.docker.compose.project"] + " " + m[labelWorkingDir]; got != want {
			t.Errorf("%s: %q, want %q", line, got, want)
		}
	}
}
