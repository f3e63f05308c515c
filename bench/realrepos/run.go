package main

import (
	"slices"
	"strings"
)

// A run is a docker/podman run or create command taken apart.
type run struct {
	verb    string   // run or create ("" when none was found)
	opts    string   // the options before the image, joined
	image   string   //
	cmd     []string // the words after the image, up to a shell separator
	name    string   // --name
	varName string   // VAR of VAR=$(docker run ...)
	workdir string   // -w
	srcDirs []string // targets of bind mounts of the working tree ($PWD:/x)
	tty     bool     // -it
}

func parseRun(text string) run {
	var r run
	if m := assignedRun().FindStringSubmatch(text); m != nil {
		r.varName = m[1]
	}
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\\\r\n", " "), "\\\n", " ")
	words := strings.Fields(text)
	at := -1
	for i, w := range words {
		if (w == "run" || w == "create") && i > 0 && engineWord(words[i-1], i > 1 && engineWord(words[i-2], false)) {
			at, r.verb = i, w
			break
		}
	}
	if at < 0 {
		return r
	}
	var opts []string
	i := at + 1
	for ; i < len(words); i++ {
		w := unquote(words[i])
		if w == "${{" { // a workflow expression: ${{ matrix.args }}
			for i < len(words) && words[i] != "}}" {
				i++
			}
			continue
		}
		if !strings.HasPrefix(w, "-") && !(strings.HasPrefix(w, "$") && flagVar().MatchString(w)) {
			break
		}
		opts = append(opts, w)
		flag, val, hasVal := strings.Cut(w, "=")
		if !hasVal && valued(flag) && i+1 < len(words) {
			i++
			val = unquote(words[i])
			opts = append(opts, val)
		}
		switch flag {
		case "--name":
			r.name = val
		case "-w", "--workdir":
			r.workdir = val
		case "-v", "--volume":
			if src, dst, ok := strings.Cut(val, ":"); ok && workingTree().MatchString(src) {
				dst, _, _ = strings.Cut(dst, ":")
				r.srcDirs = append(r.srcDirs, dst)
			}
		}
		if !strings.HasPrefix(flag, "--") && strings.Contains(flag, "i") && strings.Contains(flag, "t") {
			r.tty = true
		}
	}
	r.opts = strings.Join(opts, " ")
	if i < len(words) {
		r.image = unquote(words[i])
		for _, w := range words[i+1:] {
			if w == "&&" || w == "||" || w == ";" || w == "|" || w == ")" {
				break
			}
			r.cmd = append(r.cmd, unquote(w))
			if strings.HasSuffix(w, ";") {
				break
			}
		}
	}
	return r
}

// engineWord says whether w names a container engine: docker, podman,
// nerdctl, or a variable standing for one ($(DOCKER), ${CONTAINER_ENGINE}).
// A "container" word counts when the word before it is an engine.
func engineWord(w string, beforeIsEngine bool) bool {
	if w == "container" {
		return beforeIsEngine
	}
	if i := strings.LastIndexAny(w, "(`"); i >= 0 && !strings.HasSuffix(w, ")") { // CID=$(docker
		w = w[i+1:]
	}
	return engineName().MatchString(w)
}

func unquote(w string) string { return strings.Trim(w, `"'`) }

func valued(flag string) bool {
	switch flag {
	case "-v", "--volume", "--mount", "-e", "--env", "--env-file", "-w", "--workdir", "--name",
		"-p", "--publish", "--network", "--net", "-u", "--user", "--entrypoint", "-l", "--label",
		"--label-file", "--platform", "--tmpfs", "--security-opt", "--cap-add", "--cap-drop",
		"--device", "-h", "--hostname", "--add-host", "--dns", "--restart", "--log-driver",
		"--log-opt", "-m", "--memory", "--memory-swap", "--cpus", "--cpu-shares", "--ulimit",
		"--pull", "--ipc", "--pid", "--uts", "--userns", "--shm-size", "--stop-signal",
		"--stop-timeout", "--cidfile", "--gpus", "--runtime", "--volumes-from", "--link",
		"--expose", "--group-add", "--health-cmd", "--health-interval", "--health-retries",
		"--health-timeout", "--mac-address", "--ip", "--ip6", "--network-alias", "--annotation",
		"--arch", "--os", "--variant", "--sysctl", "--storage-opt", "--cgroupns", "--cgroup-parent",
		"--isolation", "-a", "--attach", "--secret", "--pod", "--uidmap", "--gidmap", "--authfile",
		"--cpuset-cpus", "--memory-reservation", "--pids-limit", "--log-level", "--tz":
		return true
	}
	return false
}

// isJob says whether a run is a job rather than a service: a build or
// package tool as its command, an interactive shell, or the working tree
// bind-mounted as its working directory.
func (r run) isJob() bool {
	cmd := " " + strings.Join(r.cmd, " ") + " "
	if jobWords().MatchString(cmd) {
		return true
	}
	if r.tty && len(r.cmd) > 0 && shells().MatchString(r.cmd[0]) {
		return true
	}
	return r.workdir != "" && slices.Contains(r.srcDirs, r.workdir)
}

// refs returns how later commands name the container: its --name and the
// variable holding its id.
func (r run) refs() []string {
	var refs []string
	if r.name != "" {
		refs = append(refs, normRef(r.name))
	}
	if r.varName != "" {
		refs = append(refs, "$"+r.varName)
	}
	return refs
}

func normRef(w string) string {
	w = unquote(w)
	if strings.HasPrefix(w, "${") && strings.HasSuffix(w, "}") && !strings.ContainsAny(w[2:len(w)-1], ":-+?#%/") {
		w = "$" + w[2:len(w)-1]
	}
	return w
}

// changedLater says whether rest runs docker exec with a write (a package
// manager, a file tool, as root) or docker cp into the container of r.
func changedLater(r run, rest string) bool {
	refs := r.refs()
	if len(refs) == 0 {
		return false
	}
	for _, l := range logicalLines(rest) {
		if m := execCommand().FindStringSubmatch(l); m != nil {
			words := strings.Fields(m[2])
			for i, w := range words {
				if slices.Contains(refs, normRef(w)) {
					before, after := strings.Join(words[:i], " "), " "+strings.Join(words[i+1:], " ")+" "
					if rootUser().MatchString(" "+before+" ") || writeWords().MatchString(after) {
						return true
					}
					break
				}
			}
		}
		if m := cpCommand().FindStringSubmatch(l); m != nil {
			words := strings.Fields(m[2])
			if len(words) > 0 {
				dst, _, ok := strings.Cut(words[len(words)-1], ":")
				if ok && slices.Contains(refs, normRef(dst)) {
					return true
				}
			}
		}
	}
	return false
}

// startedLater says whether rest starts (or runs a command in) the
// container r creates.
func startedLater(r run, rest string) bool {
	refs := r.refs()
	for _, l := range logicalLines(rest) {
		m := startCommand().FindStringSubmatch(l)
		if m == nil {
			continue
		}
		for _, w := range strings.Fields(m[2]) {
			if slices.Contains(refs, normRef(w)) {
				return true
			}
		}
	}
	return false
}

func logicalLines(text string) []string {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\\\r\n", " "), "\\\n", " ")
	return strings.Split(text, "\n")
}
