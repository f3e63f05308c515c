package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"time"
)

// env is what rofix knows of where it runs: whether its outputs are
// terminals, whether to colour, the clock and the working directory. Main
// detects it; tests inject it, so no package state decides.
type env struct {
	stdoutTerm, stderrTerm bool
	color                  bool             // colour diffs on stdout
	now                    func() time.Time // the clock for the progress line
	root                   string           // the working directory, for SARIF's %SRCROOT%
}

// detectEnv inspects the real outputs and environment.
func detectEnv(stdout, stderr io.Writer) env {
	e := env{stdoutTerm: writerIsTerminal(stdout), stderrTerm: writerIsTerminal(stderr), now: time.Now}
	e.color = wantColor(e.stdoutTerm, os.Getenv)
	e.root, _ = os.Getwd()
	return e
}

// wantColor decides colour: only on a terminal, not when NO_COLOR is set
// to anything but the empty string (https://no-color.org), not on a dumb
// terminal.
func wantColor(terminal bool, getenv func(string) string) bool {
	return terminal && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

func writerIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

// ANSI SGR sequences for diffs, as git colours them.
const (
	sgrReset  = "\x1b[m"
	sgrBold   = "\x1b[1m"
	sgrRed    = "\x1b[31m"
	sgrGreen  = "\x1b[32m"
	sgrCyan   = "\x1b[36m"
	clearLine = "\r\x1b[K"
)

// colorDiff paints a diff when the environment asks for colour.
func colorDiff(opts *options, d []byte) []byte {
	if opts.env.color {
		return paint(d)
	}
	return d
}

// paint colours a unified diff line by line: headers bold, hunk headers
// cyan, removed lines red, added lines green. The colour ends before each
// line's newline.
func paint(d []byte) []byte {
	var out bytes.Buffer
	for len(d) > 0 {
		line := d
		if i := bytes.IndexByte(d, '\n'); i >= 0 {
			line = d[:i+1]
		}
		d = d[len(line):]
		body := bytes.TrimSuffix(line, []byte("\n"))
		sgr := ""
		switch {
		case bytes.HasPrefix(body, []byte("--- ")), bytes.HasPrefix(body, []byte("+++ ")):
			sgr = sgrBold
		case bytes.HasPrefix(body, []byte("@@")):
			sgr = sgrCyan
		case bytes.HasPrefix(body, []byte("-")):
			sgr = sgrRed
		case bytes.HasPrefix(body, []byte("+")):
			sgr = sgrGreen
		}
		if sgr == "" {
			out.Write(line)
			continue
		}
		out.WriteString(sgr)
		out.Write(body)
		out.WriteString(sgrReset)
		out.Write(line[len(body):])
	}
	return out.Bytes()
}

// progress draws a one-line count on a terminal's stderr once a run has
// taken more than a second, redrawn at most ten times a second and erased
// before anything else is printed.
type progress struct {
	w              io.Writer
	now            func() time.Time
	start, drawn   time.Time
	shown          bool
	files, changed int
}

const (
	progressAfter = time.Second
	progressEvery = 100 * time.Millisecond
)

func newProgress(w io.Writer, now func() time.Time) *progress {
	return &progress{w: w, now: now, start: now()}
}

// clear erases the line if it is shown.
func (p *progress) clear() {
	if p.shown {
		io.WriteString(p.w, clearLine)
		p.shown = false
	}
}

// update counts a file and redraws when it is time: a second into the
// run, then every tenth of a second, or at once after the line was erased.
func (p *progress) update(changed bool) {
	p.files++
	if changed {
		p.changed++
	}
	t := p.now()
	if t.Sub(p.start) < progressAfter || p.shown && t.Sub(p.drawn) < progressEvery {
		return
	}
	p.drawn = t
	fmt.Fprintf(p.w, "%srofix: %d files, %d to change…", clearLine, p.files, p.changed)
	p.shown = true
}

// renderUnder renders an outcome while a progress line may be shown: the
// line is erased only when the outcome prints something, so that it stays
// on screen between files, and stdout is flushed before it is drawn again.
func renderUnder(p *progress, opts *options, o *outcome, out, errs *bufio.Writer) int {
	var ob, eb bytes.Buffer
	status := render(opts, o, &ob, &eb)
	if ob.Len() > 0 || eb.Len() > 0 {
		p.clear()
		errs.Flush() // the erase reaches the terminal before stdout does
		out.Write(ob.Bytes())
		out.Flush()
		errs.Write(eb.Bytes())
	}
	return status
}
