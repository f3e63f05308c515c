package yamledit

import (
	"regexp"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/edit"
)

// TestScalarText: inserted strings are plain when they read back as the
// same string in YAML 1.2 and 1.1 alike, double-quoted otherwise.
func TestScalarText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/tmp", "/tmp"},
		{"var-cache-nginx", "var-cache-nginx"},
		{"true", `"true"`},
		{"yes", `"yes"`},
		{"Off", `"Off"`},
		{"1000", `"1000"`},
		{"a b", `"a b"`},
		{"x: y", `"x: y"`},
		{"", `""`},
		{"~", `"~"`},
		{"null", `"null"`},
	} {
		if got := Str(c.in).text(); got != c.want {
			t.Errorf("Str(%q).text() = %s, want %s", c.in, got, c.want)
		}
	}
	if got := Bool(true).text(); got != "true" {
		t.Errorf("Bool(true).text() = %s", got)
	}
}

// TestInsertNested: a nested mapping and a list of mappings inserted into a
// block mapping take the file's indentation and sequence style, and the
// result verifies.
func TestInsertNested(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"indent-2-indentless", "a:\n  b: 1\n  l:\n  - x\n", "a:\n  b: 1\n  l:\n  - x\n  sc:\n    ro: true\n  m:\n  - name: tmp\n    path: /tmp\n"},
		{"indent-4", "a:\n    b: 1\n    l:\n        - x\n", "a:\n    b: 1\n    l:\n        - x\n    sc:\n        ro: true\n    m:\n        - name: tmp\n          path: /tmp\n"},
		{"flow", "a: {b: 1}\n", "a: {b: 1, sc: {ro: true}, m: [{name: tmp, path: /tmp}]}\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse([]byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			_, a := Lookup(DocRoot(s.Docs[0]), "a")
			if a == nil || a.Kind != yaml.MappingNode {
				t.Fatal("no mapping a")
			}
			ch := NewChanges(s)
			ch.AddKey(a, 0, "sc", Map("ro", Bool(true)))
			ch.AddKey(a, 0, "m", Seq(Map("name", Str("tmp"), "path", Str("/tmp"))))
			if err := ch.Flush(); err != nil {
				t.Fatal(err)
			}
			out := apply(t, c.src, ch)
			if out != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", out, c.want)
			}
			if err := ch.Verify([]byte(out)); err != nil {
				t.Error(err)
			}
		})
	}
}

func apply(t *testing.T, src string, ch *Changes) string {
	t.Helper()
	out, err := edit.Apply([]byte(src), ch.Edits())
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestPlainIsString checks plainIsString against yaml.v3's own reading of
// every plainSafe string built from the words and characters that matter
// to its resolver.
func TestPlainIsString(t *testing.T) {
	parts := []string{"", "true", "True", "TRUE", "false", "FALSE", "null", "Null", "NULL", "yes", "on",
		".nan", ".NaN", ".inf", ".INF", ".", ".5", ".5e3", ".e3", "_", "/", "-", "1", "e", "x", "tmp", "0x1F", "inf", "nan", "~"}
	for _, a := range parts {
		for _, b := range parts {
			s := a + b
			if !plainSafe(s) {
				continue
			}
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(s), &n); err != nil {
				t.Fatalf("%q: %v", s, err)
			}
			want := len(n.Content) == 1 && n.Content[0].Tag == "!!str"
			if got := plainIsString(s); got != want {
				t.Errorf("plainIsString(%q) = %v, yaml.v3 reads it as %s", s, got, n.Content[0].Tag)
			}
		}
	}
}

// TestPlainSafe: plainSafe accepts exactly ^[A-Za-z_/.][A-Za-z0-9_/.-]*$.
func TestPlainSafe(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z_/.][A-Za-z0-9_/.-]*$`)
	for _, s := range []string{"", "a", "Z", "_", "/", ".", "0", "-", "a0", "a-b", "/tmp/x.y", "-a", "9a",
		"a b", "a:b", "a\n", "é", "a\x00", "x-", "._/-9", "A_Z.z/0-9", "a#", "a~", "[", "a,b"} {
		if got, want := plainSafe(s), re.MatchString(s); got != want {
			t.Errorf("plainSafe(%q) = %v, want %v", s, got, want)
		}
	}
}
