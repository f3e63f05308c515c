package diff

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/rofix/rofix/rewrite/edit"
)

// Edits returns the unified diff that edits make to src, with headers
// "--- oldName" and "+++ newName", or nil when there are no edits. It needs
// no diff algorithm: the edits say which lines change, so it runs in time
// linear in the size of src, where a line diff of two large files could
// take minutes. The hunks are those of Unified for the same change.
func Edits(oldName, newName string, src []byte, edits []edit.Edit) ([]byte, error) {
	if len(edits) == 0 {
		return nil, nil
	}
	lines, starts := splitLines(string(src))
	var ops, removed, added []op
	// Like a line diff, a run of changed lines lists its removed lines
	// before its added ones, also when several regions touch.
	// A run of changed lines is small: a line diff of just that run keeps
	// lines an edit left as they were (text inserted at a line's end that
	// starts with a line break) as context, exactly as Unified would.
	flush := func() {
		switch {
		case len(removed) == 0 || len(added) == 0:
			ops = append(append(ops, removed...), added...)
		default:
			ops = append(ops, lineOps(join(removed), join(added))...)
		}
		removed, added = nil, nil
	}
	next := 0 // the first old line not yet in ops
	for _, r := range regions(src, starts, edit.Sorted(edits)) {
		if next < r.from {
			flush()
		}
		for ; next < r.from; next++ {
			ops = append(ops, op{' ', lines[next]})
		}
		span := src[starts[r.from]:starts[r.to]]
		changed, err := edit.Apply(span, edit.Shift(r.edits, -starts[r.from]))
		if err != nil {
			return nil, err
		}
		for _, l := range lines[r.from:r.to] {
			removed = append(removed, op{'-', l})
		}
		newLines, _ := splitLines(string(changed))
		for _, l := range newLines {
			added = append(added, op{'+', l})
		}
		next = r.to
	}
	flush()
	for ; next < len(lines); next++ {
		ops = append(ops, op{' ', lines[next]})
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hunks(ops) {
		h.write(&out)
	}
	return out.Bytes(), nil
}

func join(ops []op) string {
	var b strings.Builder
	for _, o := range ops {
		b.WriteString(o.line)
	}
	return b.String()
}

// splitLines splits s after each "\n" and returns the lines with their
// endings and the offset where each starts; starts has one more entry, the
// length of s.
func splitLines(s string) ([]string, []int) {
	var lines []string
	starts := []int{0}
	for len(s) > 0 {
		n := strings.IndexByte(s, '\n') + 1
		if n == 0 {
			n = len(s)
		}
		lines = append(lines, s[:n])
		starts = append(starts, starts[len(starts)-1]+n)
		s = s[n:]
	}
	return lines, starts
}

// A region is a run of old lines [from, to) that edits replace; from == to
// for lines inserted before line from.
type region struct {
	from, to int
	edits    []edit.Edit
}

// regions groups sorted edits by the old lines they touch, merging edits
// whose lines overlap or that start on the same line.
func regions(src []byte, starts []int, sorted []edit.Edit) []region {
	n := len(starts) - 1 // the number of lines; line n is after the end
	lineOf := func(off int) int {
		lo, hi := 0, n
		for lo < hi { // the last line starting at or before off
			mid := (lo + hi + 1) / 2
			if starts[mid] <= off {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		if lo == n && n > 0 && src[len(src)-1] != '\n' {
			lo = n - 1 // the end of a last line without a line break
		}
		return lo
	}
	var out []region
	for _, e := range sorted {
		if e.Start == e.End && e.Text == "" {
			continue // changes nothing
		}
		var from, to int
		switch {
		case e.End > e.Start:
			from, to = lineOf(e.Start), lineOf(e.End-1)+1
		default:
			from = lineOf(e.Start)
			to = from + 1
			atLineStart := e.Start == starts[from]
			if from == n || atLineStart && strings.HasSuffix(e.Text, "\n") {
				to = from // whole lines inserted before line from
			}
		}
		if k := len(out); k > 0 && (from < out[k-1].to || from == out[k-1].from) {
			out[k-1].to = max(out[k-1].to, to)
			out[k-1].edits = append(out[k-1].edits, e)
			continue
		}
		out = append(out, region{from, to, []edit.Edit{e}})
	}
	return out
}
