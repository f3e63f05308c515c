package shell

import (
	"fmt"

	"github.com/rofix/rofix/shellparse"
)

// expected is what an invocation must look like after the edits: its
// words, with text appended to some of them and new words after one.
type expected struct {
	inv      *shellparse.Invocation
	appended map[int]string // word index -> text appended at its AppendAt
	after    int            // the inserted words follow this word
	inserted []string
}

// words returns the expected source text of every word.
func (x expected) words(src []byte) []string {
	var out []string
	for i, w := range x.inv.Words {
		text := w.Text(src)
		if add, ok := x.appended[i]; ok {
			k := w.AppendAt - w.Start
			text = text[:k] + add + text[k:]
		}
		out = append(out, text)
		if i == x.after {
			out = append(out, x.inserted...)
		}
	}
	return out
}

// verify re-parses the output and checks that it has the same run
// commands, in the same order, whose words are the original words with
// exactly the planned insertions and appended values, and that the image
// is still the same word.
func verify(src, out []byte, d shellparse.Dialect, orig *shellparse.Result, expect []expected) error {
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
	for n, x := range expect {
		got := res.Invocations[n]
		want := x.words(src)
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
