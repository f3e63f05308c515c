// Package diff renders unified diffs that git apply and patch accept, the
// same hunks GNU diff -u prints, with "\ No newline at end of file" markers.
package diff

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

const context = 3

// Unified returns the unified diff from a to b with headers "--- oldName"
// and "+++ newName", or nil when a and b are equal.
func Unified(oldName, newName string, a, b []byte) []byte {
	if bytes.Equal(a, b) {
		return nil
	}
	ops := lineOps(string(a), string(b))
	var out bytes.Buffer
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hunks(ops) {
		h.write(&out)
	}
	return out.Bytes()
}

// op is one line of the edit script: ' ', '-' or '+'.
type op struct {
	kind byte
	line string // with its line ending, if any
}

// lineOps diffs a and b line by line with go-diff's line mode.
func lineOps(a, b string) []op {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // exact, minimal diffs
	ca, cb, lines := dmp.DiffLinesToChars(a, b)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), lines)
	var ops []op
	for _, d := range diffs {
		kind := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			kind = '-'
		case diffmatchpatch.DiffInsert:
			kind = '+'
		}
		for text := d.Text; text != ""; {
			line := text
			if i := strings.IndexByte(text, '\n'); i >= 0 {
				line = text[:i+1]
			}
			ops = append(ops, op{kind, line})
			text = text[len(line):]
		}
	}
	return ops
}

type hunk struct {
	oldStart, oldLines, newStart, newLines int
	ops                                    []op
}

// hunks groups changed lines with up to three lines of context, merging
// groups whose context would touch.
func hunks(ops []op) []hunk {
	var out []hunk
	oldLine, newLine := 1, 1
	i := 0
	for i < len(ops) {
		if ops[i].kind == ' ' {
			i++
			oldLine++
			newLine++
			continue
		}
		start := max(0, i-context)
		h := hunk{oldStart: oldLine - (i - start), newStart: newLine - (i - start)}
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j
			} else if j-end > 2*context {
				break
			}
		}
		stop := min(len(ops), end+context+1)
		h.ops = ops[start:stop]
		for _, o := range h.ops {
			if o.kind != '+' {
				h.oldLines++
			}
			if o.kind != '-' {
				h.newLines++
			}
		}
		for _, o := range ops[i:stop] {
			if o.kind != '+' {
				oldLine++
			}
			if o.kind != '-' {
				newLine++
			}
		}
		i = stop
		out = append(out, h)
	}
	return out
}

func (h hunk) write(out *bytes.Buffer) {
	fmt.Fprintf(out, "@@ -%s +%s @@\n", span(h.oldStart, h.oldLines), span(h.newStart, h.newLines))
	for _, o := range h.ops {
		out.WriteByte(o.kind)
		out.WriteString(o.line)
		if !strings.HasSuffix(o.line, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// span renders a hunk range the way diff -u does: "start,count", "start"
// when count is 1, and the line before the hunk when count is 0.
func span(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprintf("%d", start)
	}
	return fmt.Sprintf("%d,%d", start, count)
}
