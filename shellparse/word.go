package shellparse

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// A Word is one shell word of a command, as written.
type Word struct {
	// Start and End are the word's byte span. End excludes a line
	// continuation glued to the word ("run\" + newline ends before "\").
	Start, End int
	// Value is the word after quote removal. Each expansion ($X, ${X:-y},
	// $(cmd), `cmd`, $((1+2))) becomes a placeholder: "${NAME}" for a plain
	// variable, "${_}" for anything else.
	Value string
	// Static is true when the word holds no expansion.
	Static bool
	// Hidden is true when the word may expand to any number of arguments
	// that cannot be known from the text: "$@", "${args[@]}", or a lone
	// unquoted $OPTS or $(cmd).
	Hidden bool
	// AppendAt is the offset where text can be appended to the word's
	// value without leaving its quoting: before a closing quote, or End.
	AppendAt int
	// Interp is the word in compose's interpolation syntax, for words
	// that are not Static: a default that is literal text stays written
	// ("nginx:${V:-1.27}"), a plain variable is "${NAME}", any other
	// expansion "${_}". policy.ParseImageRef resolves it as compose does.
	Interp string
}

// Text returns the word's source text.
func (w Word) Text(src []byte) string { return string(src[w.Start:w.End]) }

// A wordCtx evaluates words of a (sub-)parse whose offsets start at base
// in src.
type wordCtx struct {
	src  []byte
	base int
}

func (c wordCtx) off(p syntax.Pos) int { return c.base + int(p.Offset()) }

// trimCont moves end back over line continuations ("\" + LF or CRLF).
func (c wordCtx) trimCont(start, end int) int {
	for end-start >= 2 {
		switch {
		case c.src[end-1] == '\n' && c.src[end-2] == '\\':
			end -= 2
		case end-start >= 3 && c.src[end-1] == '\n' && c.src[end-2] == '\r' && c.src[end-3] == '\\':
			end -= 3
		default:
			return end
		}
	}
	return end
}

func (c wordCtx) word(w *syntax.Word) Word {
	out := Word{Start: c.off(w.Pos()), Static: true}
	out.End = c.off(w.End())
	lit, _ := w.Parts[len(w.Parts)-1].(*syntax.Lit)
	for {
		end := c.trimCont(out.Start, out.End)
		// Before a CRLF line ending, a trailing literal's span includes
		// the "\r" that the lexer dropped from its value; so does a
		// trailing expansion's ($0 at the end of a CRLF line).
		if end > out.Start && c.src[end-1] == '\r' {
			switch {
			case lit != nil && !strings.HasSuffix(lit.Value, "\r"):
				end--
			case lit == nil && end < len(c.src) && c.src[end] == '\n':
				end--
			}
		}
		if end == out.End {
			break
		}
		out.End = end
	}
	out.AppendAt = out.End
	var b strings.Builder
	for _, part := range w.Parts {
		c.part(&b, part, false, &out)
	}
	out.Value = b.String()
	if !out.Static {
		var ib strings.Builder
		for _, part := range w.Parts {
			interp(&ib, part, false)
		}
		out.Interp = ib.String()
	}
	switch last := w.Parts[len(w.Parts)-1].(type) {
	case *syntax.SglQuoted:
		out.AppendAt = c.off(last.Right)
	case *syntax.DblQuoted:
		out.AppendAt = c.off(last.Right)
	}
	if len(w.Parts) == 1 {
		out.Hidden = out.Hidden || loneExpansion(w.Parts[0])
	}
	return out
}

// loneExpansion reports whether a word made of this single part is an
// unquoted expansion that may hold several arguments. A variable whose
// name says it is an image ($IMAGE, ${IMG}) is taken as one word.
func loneExpansion(p syntax.WordPart) bool {
	switch p := p.(type) {
	case *syntax.ParamExp:
		if p.Param != nil && !p.Excl && !p.Length && p.Index == nil {
			name := strings.ToUpper(p.Param.Value)
			if strings.Contains(name, "IMAGE") || strings.Contains(name, "IMG") {
				return false
			}
		}
		return true
	case *syntax.CmdSubst:
		return true
	}
	return false
}

func (c wordCtx) part(b *strings.Builder, part syntax.WordPart, quoted bool, w *Word) {
	switch p := part.(type) {
	case *syntax.Lit:
		b.WriteString(unescape(p.Value, quoted))
	case *syntax.SglQuoted:
		b.WriteString(p.Value)
	case *syntax.DblQuoted:
		for _, q := range p.Parts {
			c.part(b, q, true, w)
		}
	case *syntax.ParamExp:
		w.Static = false
		if isMulti(p) && quoted {
			w.Hidden = true
		}
		if p.Param != nil && !p.Excl && !p.Length && p.Index == nil && p.Exp == nil &&
			p.Slice == nil && p.Repl == nil && p.Names == 0 && isName(p.Param.Value) {
			b.WriteString("${" + p.Param.Value + "}")
			return
		}
		b.WriteString("${_}")
	default: // command and process substitutions, arithmetic, globs
		w.Static = false
		b.WriteString("${_}")
	}
}

// interp writes a word part in compose's interpolation syntax (see
// Word.Interp).
func interp(b *strings.Builder, part syntax.WordPart, quoted bool) {
	switch p := part.(type) {
	case *syntax.Lit:
		b.WriteString(unescape(p.Value, quoted))
	case *syntax.SglQuoted:
		b.WriteString(p.Value)
	case *syntax.DblQuoted:
		for _, q := range p.Parts {
			interp(b, q, true)
		}
	case *syntax.ParamExp:
		plain := p.Param != nil && !p.Excl && !p.Length && p.Index == nil &&
			p.Slice == nil && p.Repl == nil && p.Names == 0 && isName(p.Param.Value)
		switch {
		case plain && p.Exp == nil:
			b.WriteString("${" + p.Param.Value + "}")
		case plain && (p.Exp.Op == syntax.DefaultUnsetOrNull || p.Exp.Op == syntax.DefaultUnset):
			b.WriteString("${" + p.Param.Value + p.Exp.Op.String())
			if p.Exp.Word != nil {
				for _, q := range p.Exp.Word.Parts {
					interp(b, q, quoted)
				}
			}
			b.WriteString("}")
		default:
			b.WriteString("${_}")
		}
	default:
		b.WriteString("${_}")
	}
}

// isMulti reports whether a parameter expansion expands to several words
// even when quoted: "$@", "${a[@]}", "${!a[@]}", "${!prefix@}".
func isMulti(p *syntax.ParamExp) bool {
	if p.Names != 0 {
		return true
	}
	if p.Param != nil && p.Param.Value == "@" {
		return true
	}
	if w, ok := p.Index.(*syntax.Word); ok {
		if lit := w.Lit(); lit == "@" {
			return true
		}
	}
	return false
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && !(i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// unescape removes the backslashes the shell removes: any backslash outside
// quotes, and inside double quotes only before $ ` " \.
func unescape(s string, quoted bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (!quoted || strings.IndexByte("$`\"\\", s[i+1]) >= 0) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
