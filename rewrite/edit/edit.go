// Package edit defines byte-range edits on an original text and applies them.
//
// Every engine in rofix describes its changes as edits on the bytes it was
// given; nothing is re-serialized. Apply is the single place where edits meet
// the text.
package edit

import (
	"fmt"
	"sort"
)

// An Edit replaces Src[Start:End] with Text. Start == End is an insertion.
//
// Block marks an insertion of whole lines. At an equal offset, in-token edits
// (Block false) are applied before block insertions, so text appended to the
// last token of a file without a final newline stays on that token's line.
type Edit struct {
	Start, End int
	Text       string
	Block      bool
}

// Apply returns src with edits applied. Edits may be given in any order; at an
// equal offset, non-block edits come first and otherwise the given order is
// kept. Overlapping edits are an error: they mean an engine planned two
// changes to the same bytes.
func Apply(src []byte, edits []Edit) ([]byte, error) {
	if len(edits) == 0 {
		return src, nil
	}
	sorted := Sorted(edits)
	grow := 0
	for _, e := range sorted {
		grow += len(e.Text) - (e.End - e.Start)
	}
	out := make([]byte, 0, len(src)+max(grow, 0))
	last := 0
	for _, e := range sorted {
		if e.Start < last || e.End < e.Start || e.End > len(src) {
			return nil, fmt.Errorf("internal error: overlapping or out-of-range edit [%d,%d)", e.Start, e.End)
		}
		out = append(out, src[last:e.Start]...)
		out = append(out, e.Text...)
		last = e.End
	}
	return append(out, src[last:]...), nil
}

// Sorted returns a copy of edits in the order Apply uses.
func Sorted(edits []Edit) []Edit {
	sorted := append([]Edit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return !a.Block && b.Block
	})
	return sorted
}

// Shift returns edits moved by delta bytes, for engines that work on a
// snippet embedded at an offset of a larger file.
func Shift(edits []Edit, delta int) []Edit {
	out := make([]Edit, len(edits))
	for i, e := range edits {
		e.Start += delta
		e.End += delta
		out[i] = e
	}
	return out
}
