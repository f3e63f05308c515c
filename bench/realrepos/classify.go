package main

import (
	"path"
	"slices"
	"strings"
)

// A Class is a reason a reviewer of a migration pull request rejects an edit.
// The rules below are written from the repositories' conventions, not from
// rofix's code, so that they judge rofix rather than repeat it.
type Class string

// The classes, in the order of the report's columns.
const (
	Fixture      Class = "fixture"       // test fixture, golden or testdata file
	TestDir      Class = "test"          // a test harness: under test/, tests/, e2e/...
	Generated    Class = "generated"     // a generated-file header in the first lines
	Versioned    Class = "versioned"     // a per-version release artifact (deploy/v1.2.3/)
	Privileged   Class = "privileged"    // read-only given to a privileged container
	Windows      Class = "windows"       // any edit of a Windows container
	Job          Class = "job"           // read-only given to a job without its caches
	ChangedLater Class = "changed-later" // read-only given to a container the file changes later
	CreateOnly   Class = "create-only"   // an edit of a docker create never started
	Override     Class = "override"      // read_only given to a compose service with no image, build or extends
	DotDir       Class = "dot-dir"       // a directory with a dot in its name mounted read-only as if a file
)

// allClasses lists every class in report order.
func allClasses() []Class {
	return []Class{Fixture, TestDir, Generated, Versioned, Privileged, Windows, Job, ChangedLater, CreateOnly, Override, DotDir}
}

// PathClasses returns the classes a file has by its path alone.
func PathClasses(p string) []Class {
	var cs []Class
	dirs := strings.Split(path.Dir(p), "/")
	base := path.Base(p)
	if slices.ContainsFunc(dirs, isFixtureDir) || fixtureName().MatchString(base) {
		cs = append(cs, Fixture)
	}
	if slices.ContainsFunc(dirs, isTestDir) || testName().MatchString(base) {
		cs = append(cs, TestDir)
	}
	if slices.ContainsFunc(dirs, versionDir().MatchString) {
		cs = append(cs, Versioned)
	}
	return cs
}

func isFixtureDir(d string) bool {
	switch strings.ToLower(d) {
	case "testdata", "test-data", "test_data", "fixtures", "fixture", "__fixtures__",
		"golden", "goldens", "__snapshots__", "snapshots", "testfiles", "test-fixtures":
		return true
	}
	return false
}

func isTestDir(d string) bool {
	switch strings.ToLower(d) {
	case "test", "tests", "e2e", "e2etests", "e2e-tests", "e2e_tests", "integration",
		"integration-tests", "integration_tests", "testing", "__tests__", "spec":
		return true
	}
	return false
}

// IsGenerated says whether the first lines of a file carry a generated-file
// header (Go's "Code generated ... DO NOT EDIT.", "auto-generated", ...).
func IsGenerated(content string) bool {
	head := content
	for i, n := 0, 0; i < len(content); i++ {
		if content[i] == '\n' {
			if n++; n == 10 {
				head = content[:i]
				break
			}
		}
	}
	return generatedHeader().MatchString(head)
}

// A Unit is the container an edit touches: a run command (its logical line,
// continuations joined) or a YAML block (a compose service, a Kubernetes
// container).
type Unit struct {
	Kind       string // "shell", "yaml" or "file"
	Start, End int    // 0-based lines of the new file, inclusive
	Text       string // the unit's text in the new file
	Doc        string // YAML: the document holding the unit
	Service    bool   // YAML: a child of a top-level services: key
}

// FindUnit returns the unit holding line i (0-based) of a file's lines.
func FindUnit(name string, lines []string, i int) Unit {
	switch path.Ext(name) {
	case ".container", ".service", ".pod", ".kube", ".volume", ".network":
		return Unit{Kind: "file", Start: 0, End: len(lines) - 1, Text: strings.Join(lines, "\n")}
	}
	s, e := i, i
	for s > 0 && continued(lines[s-1]) {
		s--
	}
	for e < len(lines)-1 && continued(lines[e]) {
		e++
	}
	sh := Unit{Kind: "shell", Start: s, End: e, Text: strings.Join(lines[s:e+1], "\n")}
	ext := path.Ext(name)
	if runCommand().MatchString(sh.Text) || (ext != ".yml" && ext != ".yaml") {
		return sh
	}
	return yamlUnit(lines, i)
}

func continued(l string) bool { return strings.HasSuffix(strings.TrimRight(l, " \t\r"), `\`) }

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " \t")) }

func blank(l string) bool {
	t := strings.TrimSpace(l)
	return t == "" || strings.HasPrefix(t, "#")
}

// yamlParent returns the line that holds line i by indentation (-1 for none).
// A list item may sit at its key's own indentation.
func yamlParent(lines []string, i int) int {
	in := indentOf(lines[i])
	item := strings.HasPrefix(strings.TrimSpace(lines[i]), "- ")
	for p := i - 1; p >= 0; p-- {
		if blank(lines[p]) {
			continue
		}
		pi, t := indentOf(lines[p]), strings.TrimSpace(lines[p])
		if pi < in || (pi == in && item && !strings.HasPrefix(t, "-") && strings.HasSuffix(t, ":")) {
			return p
		}
	}
	return -1
}

func yamlKey(l string) string {
	t := strings.TrimPrefix(strings.TrimSpace(l), "- ")
	k, _, _ := strings.Cut(t, ":")
	return strings.TrimSpace(k)
}

func yamlUnit(lines []string, i int) Unit {
	var chain []int
	anchor, service := -1, false
	for c := i; c >= 0 && anchor < 0; {
		p := yamlParent(lines, c)
		if p < 0 {
			break
		}
		chain = append(chain, c)
		switch yamlKey(lines[p]) {
		case "services":
			anchor, service = c, indentOf(lines[p]) == 0
		case "containers", "initContainers", "ephemeralContainers":
			if strings.HasPrefix(strings.TrimSpace(lines[c]), "- ") {
				anchor = c
			}
		}
		c = p
	}
	ds, de := i, i
	for ds > 0 && !strings.HasPrefix(lines[ds], "---") {
		ds--
	}
	for de < len(lines)-1 && !strings.HasPrefix(lines[de+1], "---") {
		de++
	}
	doc := strings.Join(lines[ds:de+1], "\n")
	if anchor < 0 { // pod-level lines (volumes:) belong to the document; else the top-level block
		if chain = append(chain, i); k8sKind().MatchString(doc) {
			return Unit{Kind: "yaml", Start: ds, End: de, Text: doc, Doc: doc}
		}
		anchor = chain[len(chain)-1]
	}
	ai := indentOf(lines[anchor])
	limit := ai + 1
	if strings.HasPrefix(strings.TrimSpace(lines[anchor]), "- ") {
		limit = ai + 2
	}
	end := anchor
	for j := anchor + 1; j < len(lines); j++ {
		if blank(lines[j]) {
			continue
		}
		if indentOf(lines[j]) < limit || strings.HasPrefix(lines[j], "---") {
			break
		}
		end = j
	}
	return Unit{Kind: "yaml", Start: anchor, End: end, Service: service,
		Text: strings.Join(lines[anchor:end+1], "\n"), Doc: doc}
}

// EditClasses returns the classes of an edit: added is the text the edit
// adds to unit u; rest is the file's text after the unit (for what a script
// does to the container later).
func EditClasses(u Unit, added, rest string) []Class {
	var cs []Class
	ro := addsReadOnly().MatchString(added)
	switch u.Kind {
	case "shell", "file":
		r := parseRun(u.Text)
		if ro && privilegedFlag().MatchString(r.opts) {
			cs = append(cs, Privileged)
		}
		if windowsMarks().MatchString(u.Text) {
			cs = append(cs, Windows)
		}
		if ro && r.isJob() && !cachePaths().MatchString(r.opts) {
			cs = append(cs, Job)
		}
		started := r.verb == "run" || (r.verb == "create" && startedLater(r, rest))
		if ro && started && changedLater(r, rest) {
			cs = append(cs, ChangedLater)
		}
		if r.verb == "create" && !started {
			cs = append(cs, CreateOnly)
		}
	case "yaml":
		if ro && privilegedKey().MatchString(u.Text) {
			cs = append(cs, Privileged)
		}
		if windowsMarks().MatchString(u.Text) || windowsPod().MatchString(u.Doc) {
			cs = append(cs, Windows)
		}
		cmd, opts := yamlCommand(u.Text)
		if ro && (jobWords().MatchString(" "+cmd+" ") || yamlSourceWorkdir(u.Text)) && !cachePaths().MatchString(opts) {
			cs = append(cs, Job)
		}
		if ro && u.Service && !definesImage().MatchString(u.Text) {
			cs = append(cs, Override)
		}
	}
	return cs
}

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

// yamlCommand returns the text of a YAML block's command, entrypoint and args
// keys, and the text of the rest of the block (its mounts and environment).
func yamlCommand(block string) (cmd, opts string) {
	var c, o []string
	in := -1
	for _, l := range strings.Split(block, "\n") {
		if blank(l) {
			continue
		}
		if in >= 0 && indentOf(l) > in {
			c = append(c, l)
			continue
		}
		in = -1
		switch yamlKey(l) {
		case "command", "entrypoint", "args":
			in = indentOf(l)
			c = append(c, l)
		default:
			o = append(o, l)
		}
	}
	return strings.Join(c, "\n"), strings.Join(o, "\n")
}

// yamlSourceWorkdir says whether a compose service bind-mounts the project
// directory as its working_dir.
func yamlSourceWorkdir(block string) bool {
	m := workingDir().FindStringSubmatch(block)
	if m == nil {
		return false
	}
	wd := unquote(strings.TrimSpace(m[1]))
	for _, v := range projectBind().FindAllStringSubmatch(block, -1) {
		if dst, _, _ := strings.Cut(unquote(v[1]), ":"); dst == wd {
			return true
		}
	}
	return false
}

// ReadOnlyDirs returns the directories an edit makes read-only whose name has
// a dot: lines are the new file's, added the numbers (0-based) of the lines
// the edit adds, and isDir says what a path relative to the file's directory
// is in the repository: 1 a directory, -1 a file, 0 nothing. The source of a
// bind mount counts (what the host gives); a Kubernetes mount's path.
func ReadOnlyDirs(lines []string, added []int, isDir func(string) int) []string {
	var dirs []string
	for _, n := range added {
		l := lines[n]
		if roMountFlag().MatchString(l) {
			if p := itemMountPath(lines, n); p != "" && dotted(p) && dirByForm(p) {
				dirs = append(dirs, p)
			}
			continue
		}
		for _, m := range roBind().FindAllStringSubmatch(l, -1) {
			src := m[1]
			if !dotted(src) {
				continue
			}
			local := !strings.HasPrefix(src, "/") && !strings.HasPrefix(src, "$") && !strings.HasPrefix(src, "~")
			if kind := isDir(src); local && kind != 0 {
				if kind > 0 {
					dirs = append(dirs, src)
				}
			} else if dirByForm(src) {
				dirs = append(dirs, src)
			}
		}
	}
	return dirs
}

// dotted says whether the last element of p has a dot (not a leading one).
func dotted(p string) bool {
	b := path.Base(strings.TrimRight(p, "/"))
	return strings.Contains(strings.TrimLeft(b, "."), ".")
}

// dirByForm says whether a path names a directory by its form: a trailing
// slash, a .d directory, or a name with two dots or more that does not end
// in a file extension (pd.csi.storage.gke.io, not loki.debug.yaml).
func dirByForm(p string) bool {
	if strings.HasSuffix(p, "/") || strings.HasSuffix(p, ".d") {
		return true
	}
	b := path.Base(p)
	return strings.Count(b, ".") >= 2 && !fileExt().MatchString(b)
}

// itemMountPath returns the mountPath of the volumeMounts item holding line n.
func itemMountPath(lines []string, n int) string {
	s := n
	for s >= 0 && !strings.HasPrefix(strings.TrimSpace(lines[s]), "- ") {
		s--
	}
	if s < 0 {
		return ""
	}
	limit := indentOf(lines[s]) + 2
	for j := s; j < len(lines); j++ {
		if j > s && !blank(lines[j]) && indentOf(lines[j]) < limit {
			break
		}
		if m := mountPath().FindStringSubmatch(lines[j]); m != nil {
			return m[2]
		}
	}
	return ""
}
