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
