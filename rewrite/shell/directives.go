package shell

import (
	"bytes"
	"strings"

	"github.com/rofix/rofix/rewrite/directive"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/shellparse"
)

// directives are the ignore comments of a script, by line.
type directives struct {
	file bool
	// above holds directives that are alone on their line; end holds
	// directives that end a line with code before them. Keys are 0-based
	// line numbers.
	above, end map[int]directive.Ignore
	lineStarts []int
}

func readDirectives(src []byte, comments []shellparse.Comment, plan *finding.Plan) directives {
	d := directives{above: map[int]directive.Ignore{}, end: map[int]directive.Ignore{}}
	d.lineStarts = []int{0}
	for i, b := range src {
		if b == '\n' {
			d.lineStarts = append(d.lineStarts, i+1)
		}
	}
	for _, c := range comments {
		ig, ok := directive.Parse(c.Text)
		if !ok {
			continue
		}
		if ig.File {
			d.file = true
			continue
		}
		if len(ig.Unknown) > 0 {
			plan.Add(finding.Syntax, c.Start, c.End, false,
				"unknown rule id %s in rofix:ignore: every rule is ignored here", strings.Join(ig.Unknown, ", "))
		}
		line := d.line(c.Start)
		before := src[d.lineStarts[line]:c.Start]
		if len(bytes.TrimSpace(before)) == 0 {
			d.above[line] = d.above[line].Merge(ig)
		} else {
			d.end[line] = d.end[line].Merge(ig)
		}
	}
	return d
}

// line returns the 0-based line of an offset.
func (d directives) line(off int) int {
	lo, hi := 0, len(d.lineStarts)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if d.lineStarts[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// forSpan returns the directive that applies to a command: one alone on
// the line above its first line, or one at the end of its last line.
func (d directives) forSpan(start, end int) directive.Ignore {
	first, last := d.line(start), d.line(end)
	var ig directive.Ignore
	if first > 0 {
		ig = ig.Merge(d.above[first-1])
	}
	return ig.Merge(d.end[last])
}
