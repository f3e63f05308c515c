package diff

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite/edit"
)

func TestEdits(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		edits []edit.Edit
	}{
		{"insert lines", "a\nb\nc\n", []edit.Edit{{Start: 4, End: 4, Text: "X\n", Block: true}}},
		{"append in a line", "a\nb\nc\n", []edit.Edit{{Start: 3, End: 3, Text: ":ro"}}},
		{"both on one line", "a\nb\nc\n", []edit.Edit{{Start: 3, End: 3, Text: ":ro"}, {Start: 4, End: 4, Text: "X\n", Block: true}}},
		{"no final newline", "a\nb", []edit.Edit{{Start: 3, End: 3, Text: ":ro"}, {Start: 3, End: 3, Text: "\nX", Block: true}}},
		{"at the end", "a\n", []edit.Edit{{Start: 2, End: 2, Text: "X\n", Block: true}}},
		{"replace across lines", "a\nb\nc\nd\n", []edit.Edit{{Start: 2, End: 5, Text: "B\nC"}}},
		{"far apart", strings.Repeat("x\n", 20), []edit.Edit{{Start: 2, End: 2, Text: "1\n", Block: true}, {Start: 30, End: 31, Text: "y"}}},
		{"crlf", "a\r\nb\r\n", []edit.Edit{{Start: 3, End: 3, Text: "X\r\n", Block: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkEdits(t, []byte(tt.src), tt.edits, true)
		})
	}
}

// TestEditsRandom applies random edits to random texts: the diff must
// patch the old text into the new one.
func TestEditsRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		var src strings.Builder
		for range r.IntN(12) {
			src.WriteString(strings.Repeat("ab", r.IntN(3)) + strconv.Itoa(r.IntN(4)))
			if r.IntN(5) > 0 {
				src.WriteString("\n")
			}
		}
		s := src.String()
		var edits []edit.Edit
		last := 0
		for range r.IntN(4) {
			if last > len(s) {
				break
			}
			start := last + r.IntN(len(s)-last+1)
			end := start + r.IntN(min(3, len(s)-start)+1)
			texts := []string{":ro", "k: v\n", "\n", "z", ""}
			edits = append(edits, edit.Edit{Start: start, End: end, Text: texts[r.IntN(len(texts))]})
			last = end + 1
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkEdits(t, []byte(s), edits, false) })
	}
}

// checkEdits checks that the diff of edits patches src into the edited
// text, and, when same is set, that it equals the line diff's.
func checkEdits(t *testing.T, src []byte, edits []edit.Edit, same bool) {
	t.Helper()
	out, err := edit.Apply(src, edits)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Edits("a/f", "b/f", src, edits)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(src, out) {
		return
	}
	if got := patch(t, string(src), string(d)); got != string(out) {
		t.Fatalf("the diff patches %q into %q, want %q\n%s", src, got, out, d)
	}
	if want := Unified("a/f", "b/f", src, out); same && !bytes.Equal(d, want) {
		t.Errorf("differs from the line diff:\n%s\nwant\n%s", d, want)
	}
}

// patch applies a unified diff made by this package to old.
func patch(t *testing.T, old, diff string) string {
	oldLines, _ := splitLines(old)
	var out strings.Builder
	next := 0
	lines, _ := splitLines(diff)
	for i := 2; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "@@ "):
			var from int
			fmt.Sscanf(strings.TrimPrefix(l, "@@ -"), "%d", &from)
			if strings.HasPrefix(l, "@@ -"+strconv.Itoa(from)+",0 ") {
				from++ // an empty old range names the line before
			}
			for ; next < from-1; next++ {
				out.WriteString(oldLines[next])
			}
		case l == "\\ No newline at end of file\n":
		case l[0] == ' ' || l[0] == '+':
			text := l[1:]
			if i+1 < len(lines) && lines[i+1] == "\\ No newline at end of file\n" {
				text = strings.TrimSuffix(text, "\n")
			}
			out.WriteString(text)
			if l[0] == ' ' {
				next++
			}
		case l[0] == '-':
			next++
		}
	}
	for ; next < len(oldLines); next++ {
		out.WriteString(oldLines[next])
	}
	return out.String()
}

// BenchmarkEdits renders the diff of a 1 MB file with an edit every 16
// lines: linear in the file, where a line diff is quadratic in the changes.
func BenchmarkEdits(b *testing.B) {
	var src strings.Builder
	var edits []edit.Edit
	for i := range 1 << 15 {
		if i%16 == 0 {
			edits = append(edits, edit.Edit{Start: src.Len(), End: src.Len(), Text: "    read_only: true\n", Block: true})
		}
		fmt.Fprintf(&src, "    key%d: value %d\n", i, i)
	}
	b.SetBytes(int64(src.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Edits("a", "b", []byte(src.String()), edits); err != nil {
			b.Fatal(err)
		}
	}
}
