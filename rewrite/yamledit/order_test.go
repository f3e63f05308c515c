package yamledit

import (
	"testing"

	"gopkg.in/yaml.v3"
)

// TestFlushDeepestFirst: insertions at one offset go deepest in the tree
// first, whatever the order they were asked in: an item added to an
// indentless sequence (dashes at the column of its mapping's keys) precedes
// a key added to that mapping, or it would land under the new key.
func TestFlushDeepestFirst(t *testing.T) {
	src := "a:\n  b: 1\n  l:\n  - x\n"
	s, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, a := Lookup(DocRoot(s.Docs[0]), "a")
	_, l := Lookup(a, "l")
	if a == nil || l == nil || l.Kind != yaml.SequenceNode {
		t.Fatal("no mapping a with list l")
	}
	ch := NewChanges(s)
	ch.AddKey(a, 0, "c", Str("z"))
	ch.AddItem(l, 2, Str("w"))
	if err := ch.Flush(); err != nil {
		t.Fatal(err)
	}
	out := apply(t, src, ch)
	if want := "a:\n  b: 1\n  l:\n  - x\n  - w\n  c: z\n"; out != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
	if err := ch.Verify([]byte(out)); err != nil {
		t.Error(err)
	}
}
