package compose

import (
	"fmt"

	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// verifier returns the check of a plan's output: it re-parses the output
// as compose's YAML library reads it (see compat.go) and requires it to
// equal the original documents with the planned tree changes applied.
// Positions, styles and comments are not compared: the byte edits alone
// decide those, and the golden tests check them. In a large file where
// few services change, only those are re-parsed (verifyparts.go).
func verifier(s *source, ch *yamledit.Changes, edits []edit.Edit) func(out []byte) error {
	return func(out []byte) error {
		if verifyParts(s, ch.Intended, edits, out) {
			return nil
		}
		after, err := parse(out)
		if err != nil {
			return fmt.Errorf("the edited file does not parse: %w", err)
		}
		return ch.VerifyDocs(after.Docs)
	}
}
