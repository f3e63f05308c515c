package shell

import (
	"fmt"
	"sort"

	"github.com/rofix/rofix/rewrite/edit"

	"github.com/rofix/rofix/shellparse"
)

// expected is what an invocation must look like after the edits: its
// words, changed by the value edits that fall inside them (its own and
// those of commands nested in its words), and new words after one of them.
type expected struct {
	inv      *shellparse.Invocation
	after    int // the inserted words follow this word
	inserted []string
	insert   edit.Edit // the edit that inserts them
}

// words returns the expected source text of every word: the plan's edits
// (sorted as edit.Sorted sorts them) that fall inside a word change it,
// except this invocation's own flag insertion, which adds words.
func (x expected) words(src []byte, edits []edit.Edit) ([]string, error) {
	var out []string
	for i, w := range x.inv.Words {
		var inside []edit.Edit
		k := sort.Search(len(edits), func(k int) bool { return edits[k].Start >= w.Start })
		for ; k < len(edits) && edits[k].Start <= w.End; k++ {
			if e := edits[k]; e != x.insert && e.End <= w.End {
				inside = append(inside, edit.Edit{Start: e.Start - w.Start, End: e.End - w.Start, Text: e.Text})
			}
		}
		text, err := edit.Apply(src[w.Start:w.End], inside)
		if err != nil {
			return nil, err
		}
		out = append(out, string(text))
		if i == x.after {
			out = append(out, x.inserted...)
		}
	}
	return out, nil
}

// verify re-parses the output and checks that it has the same run
// commands, in the same order, whose words are the original words with
// exactly the planned insertions and appended values, and that the image
// is still the same word.
func verify(src, out []byte, d shellparse.Dialect, orig *shellparse.Result, expect []expected, edits []edit.Edit) error {
	res, err := shellparse.Find(out, d)
	if err != nil {
		return fmt.Errorf("the output does not parse: %v", err)
	}
	if len(res.Invocations) != len(expect) {
		return fmt.Errorf("the output has %d run commands, the input %d", len(res.Invocations), len(expect))
	}
	if len(res.Skipped) != len(orig.Skipped) {
		return fmt.Errorf("the output has %d commands rofix cannot analyse, the input %d", len(res.Skipped), len(orig.Skipped))
	}
	sorted := edit.Sorted(edits)
	for n, x := range expect {
		got := res.Invocations[n]
		want, err := x.words(src, sorted)
		if err != nil {
			return err
		}
		if len(got.Words) != len(want) {
			return fmt.Errorf("run command %d: %d words, want %d", n+1, len(got.Words), len(want))
		}
		for i, w := range got.Words {
			if w.Text(out) != want[i] {
				return fmt.Errorf("run command %d: word %d is %q, want %q", n+1, i+1, w.Text(out), want[i])
			}
		}
		wantImage := x.inv.Image
		if x.after < x.inv.Image {
			wantImage += len(x.inserted)
		}
		if got.Image != wantImage {
			return fmt.Errorf("run command %d: the image is word %d, want %d", n+1, got.Image+1, wantImage+1)
		}
	}
	return nil
}
