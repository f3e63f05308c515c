package shellparse

import (
	"bytes"
	"strings"
)

// MentionsRun reports whether a text that does not parse may hold a run
// or create command: a word naming a container engine (docker, podman,
// nerdctl, in any case and as part of a name: $DOCKER, docker-cli) followed
// on the same command line (backslash continuations joined, up to ; | & or
// a line end) by the word run or create. It errs on the side of yes: a
// yes keeps the parse failure an error, a no makes it a note.
func MentionsRun(src []byte) bool {
	lower := bytes.ToLower(src)
	for _, engine := range []string{"docker", "podman", "nerdctl"} {
		for off := 0; ; {
			i := bytes.Index(lower[off:], []byte(engine))
			if i < 0 {
				break
			}
			off += i + len(engine)
			if runFollows(lower[off:]) {
				return true
			}
		}
	}
	return false
}

// runFollows reports whether the command line starting at rest (just
// after an engine's name) holds the word run or create.
func runFollows(rest []byte) bool {
	var word strings.Builder
	for i := 0; i <= len(rest); i++ {
		var c byte
		if i < len(rest) {
			c = rest[i]
		}
		if c == '\\' && i+1 < len(rest) && rest[i+1] == '\n' {
			i++
			c = ' '
		} else if c == '\\' && i+2 < len(rest) && rest[i+1] == '\r' && rest[i+2] == '\n' {
			i += 2
			c = ' '
		}
		switch c {
		case 0, '\n', ';', '|', '&', ' ', '\t', '\r', '"', '\'', '`', '(', ')':
			if w := word.String(); w == "run" || w == "create" {
				return true
			}
			word.Reset()
			if c == 0 || c == '\n' || c == ';' || c == '|' || c == '&' {
				return false
			}
		default:
			word.WriteByte(c)
		}
	}
	return false
}
