package shellparse

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

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
//
// Bash that the parser reads as zsh arithmetic is read as zsh: the parser
// takes the key of an associative array as arithmetic, and refuses
// "declare -A v=([8.2]=x)" ("floating point arithmetic is a zsh feature")
// although bash accepts it. The zsh reading only serves to find commands:
// the dialect stays Bash, and the verifier re-parses the output the same
// way.
func parse(src []byte, d Dialect) (*syntax.File, Dialect, error) {
	f, err := parseAs(src, d)
	if err != nil && d == POSIX {
		if f2, err2 := parseAs(src, Bash); err2 == nil {
			return f2, Bash, nil
		} else if zshArithmetic(err2) {
			d, err = Bash, err2
		}
	}
	if err != nil && d == Bash && zshArithmetic(err) {
		if f2, err2 := parseLang(src, syntax.LangZsh); err2 == nil {
			return f2, Bash, nil
		}
	}
	if err != nil {
		return nil, d, toError(src, err, d)
	}
	return f, d, nil
}

// zshArithmetic reports whether err is the parser refusing bash's
// arithmetic (or an associative array's key) as zsh's floating point.
func zshArithmetic(err error) bool {
	var le syntax.LangError
	return errors.As(err, &le) && strings.Contains(le.Feature, "floating point")
}

func parseAs(src []byte, d Dialect) (*syntax.File, error) {
	lang := syntax.LangBash
	switch d {
	case POSIX:
		lang = syntax.LangPOSIX
	case Korn:
		lang = syntax.LangMirBSDKorn
	}
	return parseLang(src, lang)
}

func parseLang(src []byte, lang syntax.LangVariant) (*syntax.File, error) {
	p := syntax.NewParser(syntax.KeepComments(true), syntax.Variant(lang))
	return p.Parse(bytes.NewReader(src), "")
}

// toError turns a parser error into an *Error whose message names the
// construct at its position: "cannot parse as bash (line 3, at
// `arr[key:x]+=y`): ternary operator missing `?` before `:`".
func toError(src []byte, err error, d Dialect) error {
	var pe syntax.ParseError
	if errors.As(err, &pe) {
		off := int(pe.Pos.Offset())
		return &Error{Offset: off, Msg: fmt.Sprintf("cannot parse as %s (line %d%s): %s", d, pe.Pos.Line(), construct(src, off), pe.Text)}
	}
	var le syntax.LangError
	if errors.As(err, &le) {
		off := int(le.Pos.Offset())
		return &Error{Offset: off, Msg: fmt.Sprintf("cannot parse as %s (line %d%s): %s", d, le.Pos.Line(), construct(src, off), strings.TrimPrefix(le.Error(), le.Pos.String()+": "))}
	}
	return &Error{Msg: fmt.Sprintf("cannot parse as %s: %v", d, err)}
}

// construct quotes the blank-delimited text around off (at most 40 bytes
// of it, "…" marking a cut), or returns "" at the end of the input.
func construct(src []byte, off int) string {
	if off < 0 || off >= len(src) {
		return ""
	}
	start, end := off, off
	for start > 0 && start > off-40 && !isBlank(src[start-1]) {
		start--
	}
	for end < len(src) && end < start+40 && !isBlank(src[end]) {
		end++
	}
	for start < end && !utf8.RuneStart(src[start]) {
		start++ // never cut a character
	}
	for end > start && end < len(src) && !utf8.RuneStart(src[end]) {
		end--
	}
	if start == end {
		return ""
	}
	pre, post := "", ""
	if start > 0 && !isBlank(src[start-1]) {
		pre = "…"
	}
	if end < len(src) && !isBlank(src[end]) {
		post = "…"
	}
	return fmt.Sprintf(", at `%s%s%s`", pre, src[start:end], post)
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
