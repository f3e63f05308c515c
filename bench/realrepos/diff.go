package main

import (
	"bufio"
	"strconv"
	"strings"
)

// A FileDiff is one file's part of a unified diff.
type FileDiff struct {
	Path  string
	Hunks []Hunk
}

// A Hunk is one @@ section: the new file's line numbers (1-based) of the
// lines it adds.
type Hunk struct {
	Added []int
	Text  map[int]string // added line number -> its text
}

// ParseDiff reads the unified diff rofix -d prints (git apply compatible).
// The counts of each hunk header say where the hunk ends, so that a content
// line that looks like a header is read as content.
func ParseDiff(diff string) []FileDiff {
	var files []FileDiff
	var hunk *Hunk
	oldLeft, newLeft, newLine := 0, 0, 0
	sc := bufio.NewScanner(strings.NewReader(diff))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		l := sc.Text()
		if hunk != nil && (oldLeft > 0 || newLeft > 0) {
			switch {
			case strings.HasPrefix(l, "+"):
				hunk.Added = append(hunk.Added, newLine)
				hunk.Text[newLine] = l[1:]
				newLine++
				newLeft--
			case strings.HasPrefix(l, "-"):
				oldLeft--
			case strings.HasPrefix(l, `\`):
			default: // context
				newLine++
				newLeft--
				oldLeft--
			}
			continue
		}
		switch {
		case strings.HasPrefix(l, "+++ "):
			p := strings.TrimPrefix(strings.TrimPrefix(l, "+++ "), "b/")
			if i := strings.IndexByte(p, '\t'); i >= 0 {
				p = p[:i]
			}
			files = append(files, FileDiff{Path: p})
			hunk = nil
		case strings.HasPrefix(l, "@@ ") && len(files) > 0:
			f := &files[len(files)-1]
			f.Hunks = append(f.Hunks, Hunk{Text: map[int]string{}})
			hunk = &f.Hunks[len(f.Hunks)-1]
			oldLeft, newLine, newLeft = hunkRanges(l)
		}
	}
	return files
}

// hunkRanges returns b, c and d of "@@ -a,b +c,d @@" (a missing count is 1).
func hunkRanges(l string) (oldCount, newStart, newCount int) {
	f := strings.Fields(l)
	if len(f) < 3 {
		return 0, 0, 0
	}
	_, oldCount = startCount(f[1])
	newStart, newCount = startCount(f[2])
	return oldCount, newStart, newCount
}

func startCount(r string) (start, count int) {
	s, c, ok := strings.Cut(r[1:], ",")
	start, _ = strconv.Atoi(s)
	count = 1
	if ok {
		count, _ = strconv.Atoi(c)
	}
	return start, count
}
