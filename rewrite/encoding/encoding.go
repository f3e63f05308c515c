// Package encoding refuses content rofix must not edit as text: binary
// files, UTF-16, and (where the format requires it) invalid UTF-8.
package encoding

import (
	"bytes"
	"unicode/utf8"

	"github.com/rofix/rofix/rewrite/finding"
)

// Check returns a *finding.PosError at the first byte that makes src
// unsuitable: a UTF-16 byte order mark, a NUL byte (binary content), or,
// when requireUTF8 is set, an invalid UTF-8 sequence.
func Check(src []byte, requireUTF8 bool) error {
	if bytes.HasPrefix(src, []byte{0xFF, 0xFE}) || bytes.HasPrefix(src, []byte{0xFE, 0xFF}) {
		return finding.Errorf(0, "UTF-16 text is not supported: convert the file to UTF-8")
	}
	if i := bytes.IndexByte(src, 0); i >= 0 {
		return finding.Errorf(i, "binary content (NUL byte); not a text file rofix edits")
	}
	if requireUTF8 && !utf8.Valid(src) {
		i := 0
		for i < len(src) {
			r, n := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return finding.Errorf(i, "invalid UTF-8")
	}
	return nil
}
