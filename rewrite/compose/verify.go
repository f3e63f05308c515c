package compose

import (
	"fmt"

	"github.com/rofix/rofix/rewrite/yamledit"
)

// verify re-parses out, as compose's YAML library reads it, and checks it
// equals the original documents with the planned tree changes applied.
// Positions, styles and comments are not compared: the byte edits alone
// decide those, and the golden tests check them.
func (c *changes) verify(out []byte) error {
	after, err := parse(out)
	if err != nil {
		return fmt.Errorf("the edited file does not parse: %w", err)
	}
	for _, m := range c.mutations {
		m()
	}
	c.mutations = nil
	return yamledit.SameDocs(c.s.Docs, after.Docs)
}
