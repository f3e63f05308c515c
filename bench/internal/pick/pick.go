// Package pick selects files the way rofix's directory walk does, without
// importing rofix: the floors must not pay for (or be sped up by) anything
// in rofix's own packages. A test checks it against rofix's rules.
package pick

import (
	"io/fs"
	"strings"

	"mvdan.cc/sh/v3/fileutil"
)

// Kind is what a directory entry is to the walk.
type Kind int

const (
	None      Kind = iota // not selected
	Compose               // a compose file by name
	Shell                 // a shell script by extension
	IfShebang             // no extension: its shebang decides
)

// SkipDir reports whether a walk must not enter a directory of this name.
func SkipDir(name string) bool {
	return name == ".git" || name == "node_modules" || name == "vendor"
}

// Entry classifies a non-directory entry by its name and type.
func Entry(d fs.DirEntry) Kind {
	name := d.Name()
	switch {
	case !d.Type().IsRegular():
		return None
	case IsComposeName(name):
		return Compose
	case strings.HasSuffix(name, ".sh") || strings.HasSuffix(name, ".bash"):
		return Shell
	case fileutil.CouldBeScript2(d) == fileutil.ConfIfShebang:
		return IfShebang
	}
	return None
}

// IsComposeName reports whether base is compose.y(a)ml,
// docker-compose.y(a)ml, compose.*.y(a)ml or docker-compose.*.y(a)ml.
func IsComposeName(base string) bool {
	stem, ok := strings.CutSuffix(base, ".yaml")
	if !ok {
		stem, ok = strings.CutSuffix(base, ".yml")
	}
	if !ok {
		return false
	}
	for _, p := range []string{"compose", "docker-compose"} {
		if stem == p || strings.HasPrefix(stem, p+".") && len(stem) > len(p)+1 {
			return true
		}
	}
	return false
}

// ShellShebang reports whether src starts with a sh, bash, dash or ksh
// shebang.
func ShellShebang(src []byte) bool {
	switch fileutil.Shebang(src) {
	case "sh", "bash", "dash", "ksh":
		return true
	}
	return false
}
