package shellparse

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// A Dialect is the shell language a text is parsed as.
type Dialect int

// The dialects. POSIX falls back to Bash when the text does not parse as
// POSIX: scripts with a #!/bin/sh line often use bash features, and the
// parser's only job here is to find commands, not to lint.
const (
	Bash Dialect = iota
	POSIX
	Korn
)

func (d Dialect) String() string { return [...]string{"bash", "posix", "mksh"}[d] }

// DialectFor picks the dialect of a script from its shebang: sh and dash
// scripts are POSIX, ksh and mksh scripts are Korn, everything else is Bash.
func DialectFor(src []byte) Dialect {
	return DialectOf(shebang(src))
}

// shebang returns the base name of the interpreter of a "#!" first line,
// looking through "/usr/bin/env [-S] prog".
func shebang(src []byte) string {
	if !bytes.HasPrefix(src, []byte("#!")) {
		return ""
	}
	line, _, _ := bytes.Cut(src[2:], []byte("\n"))
	fields := strings.Fields(string(line))
	for i, f := range fields {
		base := path.Base(f)
		if i == 0 && base == "env" || strings.HasPrefix(f, "-") {
			continue
		}
		return base
	}
	return ""
}

// DialectOf maps a shell program name (sh, bash, dash, ...) to a dialect.
func DialectOf(prog string) Dialect {
	switch prog {
	case "sh", "dash", "ash", "posix":
		return POSIX
	case "ksh", "mksh":
		return Korn
	}
	return Bash
}

// An Error is input that cannot be parsed, at a byte offset of it.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// parse parses src as d, falling back from POSIX to Bash, and returns the
// dialect that parsed.
func parse(src []byte, d Dialect) (*syntax.File, Dialect, error) {
	f, err := parseAs(src, d)
	if err != nil && d == POSIX {
		if f2, err2 := parseAs(src, Bash); err2 == nil {
			return f2, Bash, nil
		}
	}
	if err != nil {
		return nil, d, toError(err, d)
	}
	return f, d, nil
}

func parseAs(src []byte, d Dialect) (*syntax.File, error) {
	lang := syntax.LangBash
	switch d {
	case POSIX:
		lang = syntax.LangPOSIX
	case Korn:
		lang = syntax.LangMirBSDKorn
	}
	p := syntax.NewParser(syntax.KeepComments(true), syntax.Variant(lang))
	return p.Parse(bytes.NewReader(src), "")
}

func toError(err error, d Dialect) error {
	var pe syntax.ParseError
	if errors.As(err, &pe) {
		return &Error{Offset: int(pe.Pos.Offset()), Msg: fmt.Sprintf("cannot parse as %s (line %d): %s", d, pe.Pos.Line(), pe.Text)}
	}
	var le syntax.LangError
	if errors.As(err, &le) {
		return &Error{Offset: int(le.Pos.Offset()), Msg: fmt.Sprintf("cannot parse as %s (line %d): %s", d, le.Pos.Line(), strings.TrimPrefix(le.Error(), le.Pos.String()+": "))}
	}
	return &Error{Msg: fmt.Sprintf("cannot parse as %s: %v", d, err)}
}
