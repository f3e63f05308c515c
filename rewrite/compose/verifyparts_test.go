package compose

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/policy"
)

// TestVerifyParts: in a file where one service of many changes, the
// planned output is proven by re-parsing that service alone, and every
// broken variant of it is refused, by the partial check (not proven) and
// by Verify (which then re-parses the whole output).
func TestVerifyParts(t *testing.T) {
	var b strings.Builder
	b.WriteString("# many services, one to harden\nx-env: &env\n  TZ: UTC\n\nservices:\n")
	for i := range 12 {
		fmt.Fprintf(&b, "  ok%d: # rofix:ignore\n    image: nginx\n    environment: *env\n", i)
		if i == 5 {
			b.WriteString("  web:\n    image: nginx\n    volumes:\n      - ./conf/app.conf:/etc/app.conf\n\n")
		}
	}
	b.WriteString("volumes:\n  data:\n")
	src := []byte(b.String())
	pol := policy.Default()
	plan, err := Plan(src, pol)
	if err != nil || len(plan.Edits) == 0 {
		t.Fatalf("plan: %v, %d edits", err, len(plan.Edits))
	}
	good, err := edit.Apply(src, plan.Edits)
	if err != nil {
		t.Fatal(err)
	}
	s, err := parse(src)
	if err != nil {
		t.Fatal(err)
	}
	intended := func() []*yaml.Node {
		after, err := parse(good) // the planned output parses to the intended tree
		if err != nil {
			t.Fatal(err)
		}
		return after.Docs
	}
	if !verifyParts(s, intended, plan.Edits, good) {
		t.Fatalf("the planned output is not proven by its edited service alone:\n%s", good)
	}
	if err := plan.Verify(good); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	web := strings.Index(string(good), "  web:\n")
	next := strings.Index(string(good), "  ok6:")
	chunk := string(good[web:next])
	for _, c := range []struct{ name, from, to string }{
		{"a value changed", "read_only: true", "read_only: ture"},
		{"a key at column 0", "    read_only: true", "read_only: true"},
		{"the service key moved right", "  web:", "    web:"},
		{"its last line break dropped", chunk, strings.TrimSuffix(chunk, "\n\n") + " "},
		{"a document end", "    read_only: true\n", "    read_only: true\n...\n"},
		{"a service added", "    read_only: true\n", "    read_only: true\n  extra:\n    image: x\n"},
		{"another service changed", "  ok7: # rofix:ignore\n    image: nginx", "  ok7: # rofix:ignore\n    image: nginy"},
		{"an anchor added", "    read_only: true", "    read_only: &env true"},
	} {
		bad := strings.Replace(string(good), c.from, c.to, 1)
		if bad == string(good) {
			t.Fatalf("%s: the case changes nothing", c.name)
		}
		if verifyParts(s, intended, plan.Edits, []byte(bad)) {
			t.Errorf("%s: proven by the partial check:\n%s", c.name, bad)
		}
		if plan.Verify([]byte(bad)) == nil {
			t.Errorf("%s: accepted by Verify:\n%s", c.name, bad)
		}
	}
}
