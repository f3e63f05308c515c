package trial

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rofix/rofix/rewrite/learn"
)

// pidFile names the file in a trial's scratch directory that holds the pid
// of the rofix that made it: a later trial tells by it whether the trial
// that left containers behind is still running.
const pidFile = "rofix-try.pid"

// projectPrefix starts the name of every project a trial creates.
const projectPrefix = "rofixtry"

// markAlive writes the pid file into the scratch directory.
func (t *trial) markAlive() error {
	return os.WriteFile(filepath.Join(t.scratch, pidFile), []byte(strconv.Itoa(os.Getpid())), 0o600)
}

// staleProject reports whether a trial project whose compose working
// directory is dir was left by a trial that was killed (SIGKILL, a power
// cut): its scratch directory is on this machine and its pid file names a
// process that is gone. A project whose directory is not here (a trial on
// another machine sharing the engine) is never stale.
func staleProject(dir string, alive func(pid int) bool) bool {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(dir), pidFile))
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return err == nil && pid > 0 && !alive(pid)
}

// labelWorkingDir is the label compose puts the project directory in.
const labelWorkingDir = "com.docker.compose.project.working_dir"

// parseLabels reads the labels "ps --format '{{json .Labels}}'" prints: a
// JSON object on podman, a JSON string "k=v,k=v" on docker.
func parseLabels(line []byte) map[string]string {
	m := map[string]string{}
	if json.Unmarshal(line, &m) == nil {
		return m
	}
	var s string
	if json.Unmarshal(line, &s) != nil {
		return m
	}
	for _, kv := range strings.Split(s, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// sweepStale removes the containers, networks and volumes of projects
// that killed trials left on the engine, and their scratch directories,
// and returns the names of the projects removed.
func (t *trial) sweepStale(ctx context.Context) []string {
	out, err := t.engine.Output(ctx, "ps", "-a", "--filter", "label="+learn.LabelProject, "--format", "{{json .Labels}}")
	if err != nil {
		return nil
	}
	stale := map[string]string{} // project -> scratch directory
	for line := range strings.Lines(string(out)) {
		labels := parseLabels([]byte(line))
		name, dir := labels[learn.LabelProject], labels[labelWorkingDir]
		if strings.HasPrefix(name, projectPrefix) && dir != "" && staleProject(dir, processAlive) {
			stale[name] = filepath.Dir(dir)
		}
	}
	var names []string
	for name, scratch := range stale {
		if t.sweepLabel(ctx, name) == nil {
			os.RemoveAll(scratch)
			names = append(names, name)
		}
	}
	return names
}
