package config

import (
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite/policy"
)

// FuzzParse checks the config reader on any input: no panic; an error
// names the file on every line; a config read without error applies to a
// policy without panic.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{example, "", "rules: {tmpfs: false}", "images:\n  - match: [x]\n    tmpfss: [/a]\n",
		"services: {a: &s {tmpfs: [/a]}, b: *s}", "- [", "images: [{match: [a], env: [{name: A}]}]"} {
		f.Add(seed)
	}
	base := policy.Default()
	f.Fuzz(func(t *testing.T, src string) {
		c, err := Parse("cfg.yaml", []byte(src))
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "cfg.yaml:") {
					t.Fatalf("error line %q does not name the file", line)
				}
			}
			return
		}
		if c == nil {
			t.Fatal("no config and no error")
		}
		p := c.Apply(base, false)
		for name := range c.Services {
			p.NeedsFor(name, "nginx")
		}
	})
}
