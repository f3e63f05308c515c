package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tree writes a small repository: two files to harden, one hardened.
func tree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"a/compose.yaml": "services:\n  web:\n    image: example/web\n  db:\n    image: example/db\n    read_only: false\n",
		"b/run.sh":       "#!/bin/sh\ndocker run -d example/cache:7\n",
		"c/compose.yaml": "services:\n  web:\n    image: a\n    read_only: true\n    tmpfs: [/tmp]\n    security_opt: [no-new-privileges]\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// clock is a fake clock that moves by step at each reading.
func clock(step time.Duration) func() time.Time {
	t := time.Unix(0, 0)
	return func() time.Time { t = t.Add(step); return t }
}

func runWith(t *testing.T, e env, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	if e.now == nil {
		e.now = clock(0)
	}
	var out, errs bytes.Buffer
	status = run(args, strings.NewReader(""), &out, &errs, e)
	return out.String(), errs.String(), status
}

const summary = "rofix: 3 files scanned: 2 changed, 0 skipped, 0 with errors\n" +
	"rofix: hardened 2 services and 1 command\n" +
	"rofix: findings: read-only 3 (2 fixed), tmpfs 2 (2 fixed), no-new-privileges 3 (3 fixed)\n"

// TestRunSummary: after a directory run the summary goes to stderr when
// stderr is a terminal, or with -v; never for a run on files only, never
// when stderr is not a terminal without -v.
func TestRunSummary(t *testing.T) {
	dir := tree(t)
	for _, tc := range []struct {
		name string
		e    env
		args []string
		want bool
	}{
		{"terminal", env{stderrTerm: true}, []string{dir}, true},
		{"pipe", env{}, []string{dir}, false},
		{"pipe -v", env{}, []string{"-v", dir}, true},
		{"terminal, files only", env{stderrTerm: true}, []string{filepath.Join(dir, "a/compose.yaml")}, false},
		{"terminal, json", env{stderrTerm: true}, []string{"--format", "json", dir}, true},
	} {
		_, stderr, _ := runWith(t, tc.e, tc.args...)
		if got := strings.HasSuffix(stderr, summary); got != tc.want {
			t.Errorf("%s: summary printed %v, want %v; stderr:\n%s", tc.name, got, tc.want, stderr)
		}
		if !tc.e.stderrTerm && strings.Contains(stderr, "\x1b") {
			t.Errorf("%s: escape sequences on a stderr that is not a terminal:\n%q", tc.name, stderr)
		}
	}
}

// TestProgressLine: on a terminal, once a run has taken over a second, a
// progress line is drawn and erased before anything else is printed; a
// run within the second, or without a terminal, draws none.
func TestProgressLine(t *testing.T) {
	dir := tree(t)
	_, stderr, _ := runWith(t, env{stderrTerm: true, now: clock(700 * time.Millisecond)}, dir)
	if !strings.Contains(stderr, clearLine+"rofix: 2 files, 2 to change…") {
		t.Errorf("no progress line in %q", stderr)
	}
	// Every drawn line is erased: what follows a line starts with the erase.
	for _, part := range strings.Split(stderr, "…")[1:] {
		if !strings.HasPrefix(part, clearLine) {
			t.Errorf("progress line not erased before %q", part)
		}
	}
	if !strings.HasSuffix(stderr, summary) {
		t.Errorf("summary missing after the progress:\n%q", stderr)
	}
	for _, e := range []env{{stderrTerm: true, now: clock(time.Millisecond)}, {now: clock(time.Hour)}} {
		if _, stderr, _ := runWith(t, e, dir); strings.Contains(stderr, "…") || strings.Contains(stderr, clearLine) {
			t.Errorf("progress drawn with %+v: %q", e, stderr)
		}
	}
}

// TestDiffColour: diffs are coloured only when asked (a terminal without
// NO_COLOR); the text without the colours is the plain diff.
func TestDiffColour(t *testing.T) {
	dir := tree(t)
	plain, _, _ := runWith(t, env{}, dir)
	coloured, _, _ := runWith(t, env{stdoutTerm: true, color: true}, dir)
	if strings.Contains(plain, "\x1b") {
		t.Error("colour without a terminal")
	}
	for _, want := range []string{sgrGreen + "+    read_only: true" + sgrReset + "\n", sgrBold + "--- a/", sgrCyan + "@@ "} {
		if !strings.Contains(coloured, want) {
			t.Errorf("coloured diff lacks %q", want)
		}
	}
	strip := strings.NewReplacer(sgrReset, "", sgrBold, "", sgrRed, "", sgrGreen, "", sgrCyan, "")
	if strip.Replace(coloured) != plain {
		t.Error("the coloured diff is not the plain diff with colours")
	}
	for _, tc := range []struct {
		term      bool
		noColor   string
		termValue string
		want      bool
	}{
		{true, "", "xterm", true},
		{true, "1", "xterm", false},
		{true, "", "dumb", false},
		{false, "", "xterm", false},
	} {
		getenv := func(k string) string { return map[string]string{"NO_COLOR": tc.noColor, "TERM": tc.termValue}[k] }
		if got := wantColor(tc.term, getenv); got != tc.want {
			t.Errorf("wantColor(%v, NO_COLOR=%q TERM=%q) = %v", tc.term, tc.noColor, tc.termValue, got)
		}
	}
}

// TestFormatJSONWithWrite: -w writes the files and the JSON says so; the
// edits in it turn the original into what was written.
func TestFormatJSONWithWrite(t *testing.T) {
	dir := tree(t)
	path := filepath.Join(dir, "a/compose.yaml")
	orig, _ := os.ReadFile(path)
	stdout, _, status := runWith(t, env{}, "-w", "--format", "json", dir)
	if status != ExitOK {
		t.Fatalf("status %d", status)
	}
	var doc struct {
		Files []struct {
			Path             string
			Changed, Written bool
			Edits            []struct {
				Offset, End int
				Text        string
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(doc.Files) != 3 {
		t.Fatalf("%d files in the document, want 3", len(doc.Files))
	}
	f := doc.Files[0]
	if f.Path != path || !f.Changed || !f.Written || doc.Files[2].Written {
		t.Errorf("files: %+v", doc.Files)
	}
	written, _ := os.ReadFile(path)
	var out []byte
	last := 0
	for _, e := range f.Edits {
		out = append(append(out, orig[last:e.Offset]...), e.Text...)
		last = e.End
	}
	if out = append(out, orig[last:]...); !bytes.Equal(out, written) || bytes.Equal(orig, written) {
		t.Errorf("edits give\n%s\nthe file holds\n%s", out, written)
	}
}

// TestMarkdownLargeRepository: --format markdown on a generated repository
// of 900 files gives a pull request body under GitHub's limit that ends
// with whole lines, names the first files and counts the others.
func TestMarkdownLargeRepository(t *testing.T) {
	dir := t.TempDir()
	for i := range 900 {
		p := filepath.Join(dir, fmt.Sprintf("team%02d/app%04d/compose.yaml", i%20, i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		src := fmt.Sprintf("services:\n  app%d:\n    image: example/app\n    volumes:\n      - ./app.toml:/etc/app/app.toml\n      - ./data:/data\n", i)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stdout, _, status := runWith(t, env{}, "--format", "markdown", "--check", dir)
	if status != ExitChanges {
		t.Errorf("status %d, want %d", status, ExitChanges)
	}
	if len(stdout) >= 65536 || !strings.HasSuffix(stdout, "\n") {
		t.Fatalf("body of %d bytes", len(stdout))
	}
	if !strings.HasPrefix(stdout, "**rofix hardened 900 services and 0 run commands in 900 files.** 900 findings need a person.\n") {
		t.Errorf("summary line: %.200s", stdout)
	}
	if !strings.Contains(stdout, "team00/app0000/compose.yaml`") || !strings.Contains(stdout, " more files not listed here; ") {
		t.Errorf("want the first file named and the rest counted")
	}
}

// TestProgressLineOnOneTerminal: stdout and stderr on the same terminal (one
// writer here): the progress line is always erased before a diff or a
// finding is printed, never left in front of it.
func TestProgressLineOnOneTerminal(t *testing.T) {
	dir := tree(t)
	for _, name := range []string{"d", "e", "f"} {
		os.Mkdir(filepath.Join(dir, name), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name, "compose.yaml"), []byte("services:\n  x:\n    image: x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var tty bytes.Buffer
	run([]string{dir}, strings.NewReader(""), &tty, &tty, env{stdoutTerm: true, stderrTerm: true, now: clock(700 * time.Millisecond)})
	out := tty.String()
	if !strings.Contains(out, "…") || !strings.Contains(out, "+++ b/") {
		t.Fatalf("want progress and diffs in %q", out)
	}
	for _, part := range strings.Split(out, "…")[1:] {
		if !strings.HasPrefix(part, clearLine) {
			t.Errorf("progress line not erased before %.40q", part)
		}
	}
}
