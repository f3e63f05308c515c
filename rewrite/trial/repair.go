package trial

import (
	"path"
	"regexp"
	"strings"
)

// roLine matches a log line that reports a write refused by a read-only
// filesystem: the kernel's message, as C libraries, Go, Python, Java and
// Node spell it, and the errno's name.
var roLine = regexp.MustCompile(`(?i)read-only file ?system|\bEROFS\b`)

// absPath matches an absolute path in a log line.
var absPath = regexp.MustCompile(`(?:^|[\s'"` + "`" + `(\[=:,])(/[A-Za-z0-9._@+%~-][A-Za-z0-9._@+%~/-]*)`)

// ROLines returns the lines of logs that report a read-only filesystem,
// at most max, without duplicates.
func ROLines(logs string, max int) []string {
	var out []string
	for line := range strings.Lines(logs) {
		line = strings.TrimSpace(line)
		if roLine.MatchString(line) && !contains(out, line) {
			out = append(out, line)
			if len(out) == max {
				break
			}
		}
	}
	return out
}

// ROPaths returns the absolute paths the read-only lines name, in the
// order they appear, cleaned, without duplicates. A line naming several
// paths (a rename, a copy) gives all of them.
func ROPaths(lines []string) []string {
	var out []string
	for _, line := range lines {
		for _, m := range absPath.FindAllStringSubmatch(line, -1) {
			p := path.Clean(strings.TrimRight(m[1], ".:,;"))
			if p != "/" && !contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// A pathKind is what a path named in a log is in the image.
type pathKind int

const (
	missing pathKind = iota
	isDir
	isFile
)

// repairDir returns the directory to mount for a write refused at p: p
// itself when the image has it as a directory, its directory when it is a
// file, and for a path the image lacks, the topmost missing directory on
// the way to it (the engine creates a mount point there, and everything
// the app makes below it lands on the mount). kind tells what a path is in
// the image.
func repairDir(p string, kind func(string) pathKind) string {
	switch kind(p) {
	case isDir:
		return p
	case isFile:
		return path.Dir(p)
	}
	top := p
	for d := path.Dir(p); d != "/"; d = path.Dir(d) {
		if kind(d) != missing {
			break
		}
		top = d
	}
	// A name without a dot, or a dot-directory of a home (.cache, .npm),
	// is a directory the app makes.
	if top == p && !strings.Contains(strings.TrimPrefix(path.Base(p), "."), ".") {
		return p
	}
	if top == p {
		// a file the app creates in a directory that exists
		return path.Dir(p)
	}
	return top
}
