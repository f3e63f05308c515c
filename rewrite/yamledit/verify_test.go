package yamledit

import (
	"strings"
	"testing"
)

// TestSameDocsNamesTheDifference: equal documents pass; the first
// difference is named by its path (keys and list indexes) and what
// differs there.
func TestSameDocsNamesTheDifference(t *testing.T) {
	parse := func(src string) *Source {
		t.Helper()
		s, err := Parse([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := parse("services:\n  web:\n    image: nginx\n    ports: [a, b]\n")
	for _, c := range []struct{ after, err string }{
		{"services:\n  web: {image: nginx, ports: [a, b]} # same tree\n", ""},
		{"services:\n  web:\n    image: nginx\n    ports: [a, c]\n", `.services.web.ports[1] ("c", want "b")`},
		{"services:\n  web:\n    image: nginx\n", ".services.web (kind 4/4, tag !!map/!!map, 4/2 children)"},
		{"services:\n  web:\n    image: 1\n    ports: [a, b]\n", ".services.web.image (kind 8/8, tag !!str/!!int, 0/0 children)"},
		{"a: 1\n---\nb: 2\n", "2 documents, want 1"},
	} {
		err := SameDocs(want.Docs, parse(c.after).Docs)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%q: %v, want equal", c.after, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: %v, want %q", c.after, err, c.err)
		}
	}
}
