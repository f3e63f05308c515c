package trial

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite/diff"
)

var update = flag.Bool("update", false, "rewrite testdata/report.{txt,json,md} from the renderings")

// composeBefore and composeAfter are a compose file before and after
// hardening; an extension field holds a fenced code block, whose fence
// line the diff carries as a context line indented less than four
// columns: unescaped, it would close the diff's block.
const (
	composeBefore = "services:\n  web:\n    image: nginx:1.27\nx-readme: |\n  ```\n  make run\n  ```\n"
	composeAfter  = "services:\n  web:\n    image: nginx:1.27\n    read_only: true\nx-readme: |\n  ```\n  make run\n  ```\n"
)

// testReport is a report with a service of each status and the evidence
// each shows, and a change with its diff. The log lines and notes hold
// what markdown must escape: a |, backticks, HTML, a fence.
func testReport() *Report {
	return &Report{
		File:    "deploy/compose.yaml",
		Engine:  "Docker 20.10.24",
		Compose: "docker compose v5.6.0",
		Settle:  10,
		Rounds:  2,
		Seconds: 48.2,
		Outcome: "some services do not run hardened: nothing was written",
		Services: []ServiceReport{
			{
				Name: "web", Status: StatusProven, Original: "healthy", State: "healthy", Seconds: 12.5,
				ReadOnly: true, NoNewPrivs: true, Tmpfs: []string{"/run", "/var/cache/nginx", "/var/log/nginx"},
				Repairs: []string{"tmpfs /var/log/nginx"},
				Notes:   []string{"a change to the image's own programs was refused, and it ran on: chown: /usr/share/nginx | `html` <b>: Read-only file system"},
			},
			{
				Name: "app", Status: StatusWithheld, Original: "running", State: "running", Seconds: 10.1,
				NoNewPrivs: true, Tmpfs: []string{"/tmp"},
				Reason: "writes app.pid into /etc/app, where the image ships app.conf: a tmpfs would hide them (keep a writable root, or mount a volume prepared with the image's files there)",
			},
			{
				Name: "worker", Status: StatusFailed, Original: "exited 0", State: "exited 1", Seconds: 3.4,
				ReadOnly: true, NoNewPrivs: true, Volumes: []string{"/var/lib/worker"},
				Reason: "exited 1 hardened, exited 0 as it is",
				Logs: []string{
					"OSError: [Errno 30] Read-only file system: '/app/cache' | see `docs/ro.md` <b>",
					"```",
				},
			},
			{
				Name: "legacy", Status: StatusFailedOriginally, Original: "exited 2",
				Logs: []string{"panic: config <missing>"},
			},
		},
		NotRun: []string{"debug"},
		Changes: []Change{{
			Path: "deploy/compose.yaml",
			Diff: string(diff.Unified("deploy/compose.yaml", "deploy/compose.yaml", []byte(composeBefore), []byte(composeAfter))),
		}},
	}
}

// privReport is a report of a trial with the rules non-root and cap-drop
// on: a service proven as its files' owner, one that must start as root
// and keeps four capabilities (each with the line of the round without
// it), one that fails even with the engine's default set, and one whose
// file sets its own user and capabilities.
func privReport() *Report {
	return &Report{
		File: "compose.yaml", Engine: "Docker 20.10.24+dfsg1", Compose: "docker-compose 1.29.2",
		Settle: 5, Rounds: 1, PrivRounds: 10, Seconds: 180.4,
		Services: []ServiceReport{
			{
				Name: "redis", Status: StatusProven, Original: "running", State: "running", Seconds: 5.5,
				ReadOnly: true, NoNewPrivs: true, Tmpfs: []string{"/tmp"},
				RunAs: "101:102", Caps: &CapsReport{Kept: []string{}, Removed: []string{"CHOWN", "SETUID"}}, PrivRounds: 1,
				User: "101:102", CapDrop: []string{"ALL"},
			},
			{
				Name: "nginx", Status: StatusProven, Original: "running", State: "running", Seconds: 5.4,
				ReadOnly: true, NoNewPrivs: true, Tmpfs: []string{"/run", "/tmp", "/var/lib/nginx", "/var/log/nginx"},
				NeedsRoot: "fails as 33:4 (owner of /var/log/nginx/access.log, which it wrote): exited 1: nginx: [emerg] bind() to 0.0.0.0:80 failed (13: Permission denied)",
				Caps: &CapsReport{
					Kept: []string{"CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"},
					Evidence: map[string]string{
						"CHOWN":            `exited 1: nginx: [emerg] chown("/var/lib/nginx/body", 33) failed (1: Operation not permitted)`,
						"NET_BIND_SERVICE": "exited 1: nginx: [emerg] bind() to 0.0.0.0:80 failed (13: Permission denied)",
						"SETGID":           "exited 1: nginx: [emerg] setgid(33) failed (1: Operation not permitted)",
						"SETUID":           "exited 1: nginx: [emerg] setuid(33) failed (1: Operation not permitted) | `x`",
					},
					Removed: []string{"DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETFCAP", "SETPCAP", "SYS_CHROOT"},
				},
				PrivRounds: 9, CapDrop: []string{"ALL"}, CapAdd: []string{"CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"},
			},
			{
				Name: "odd", Status: StatusProven, Original: "running", State: "running", Seconds: 5.2,
				ReadOnly: true, NoNewPrivs: true, Tmpfs: []string{"/tmp"},
				NeedsRoot:  "no non-root user found: it wrote nothing owned by one, and rofix knows none for its image",
				NoCapDrop:  "fails even with the engine's default capabilities less AUDIT_WRITE, MKNOD, NET_RAW: exited 1: mknod: Operation not permitted",
				PrivRounds: 3,
			},
			{
				Name: "mine", Status: StatusProven, Original: "running", State: "running", Seconds: 5.2,
				ReadOnly: true, NoNewPrivs: true, Tmpfs: []string{"/tmp"},
				PrivNotes: []string{"user 1000 set in the file: kept", "cap_add/cap_drop set in the file: kept"},
				User:      "1000", CapDrop: []string{"ALL"},
			},
		},
		Changes: []Change{},
		Written: []string{"compose.yaml", ".rofix.yaml"},
	}
}

// TestRender compares the text, JSON and markdown renderings of fixed
// reports with testdata/NAME.{txt,json,md} ("go test -update" rewrites
// them; read the diff): report, of a trial with the opt-in rules off, and
// report-priv, with them on.
func TestRender(t *testing.T) {
	for _, r := range []struct {
		name   string
		report func() *Report
	}{{"report", testReport}, {"report-priv", privReport}} {
		for _, f := range []struct{ format, ext string }{
			{"text", "txt"},
			{"json", "json"},
			{"markdown", "md"},
		} {
			t.Run(r.name+"/"+f.format, func(t *testing.T) {
				var b bytes.Buffer
				if err := render(&b, f.format, r.report()); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", r.name+"."+f.ext)
				if *update {
					if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if b.String() != string(want) {
					t.Errorf("%s rendering differs from %s (go test -update rewrites it):\n%s",
						f.format, path, diff.Unified(path, f.format, want, b.Bytes()))
				}
			})
		}
	}
}

// TestRenderJSON: the JSON report decodes back to the report itself.
func TestRenderJSON(t *testing.T) {
	for _, report := range []func() *Report{testReport, privReport} {
		var b bytes.Buffer
		if err := render(&b, "json", report()); err != nil {
			t.Fatal(err)
		}
		var got Report
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if want := report(); !reflect.DeepEqual(&got, want) {
			t.Errorf("decoded:\n%+v\nwant:\n%+v", got, *want)
		}
	}
}

// TestRenderMarkdownEscapes: text from logs, notes and diffs cannot break
// the markdown: a | or a backtick in a table cell is escaped (the row
// keeps its seven cells), HTML is shown, not read, and a fence inside a log
// line or a diff does not close the block around it.
func TestRenderMarkdownEscapes(t *testing.T) {
	var b bytes.Buffer
	if err := render(&b, "markdown", testReport()); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	// A line that opens or closes a fenced code block in CommonMark: up to
	// three spaces, then three or more backticks or tildes.
	fenceLine := regexp.MustCompile("^ {0,3}(```|~~~)")
	for line := range strings.Lines(md) {
		if !strings.HasPrefix(line, "| web |") {
			continue
		}
		if n := strings.Count(line, "|") - strings.Count(line, `\|`); n != 8 {
			t.Errorf("the row of web has %d cell borders, want 8:\n%s", n, line)
		}
		if !strings.Contains(line, "/usr/share/nginx \\| \\`html\\`") {
			t.Errorf("the | and backticks of the note are not escaped:\n%s", line)
		}
	}
	// Outside the fenced blocks, HTML is escaped; inside, it is shown as
	// it is anyway.
	inFence := false
	for line := range strings.Lines(md) {
		if fenceLine.MatchString(line) {
			inFence = !inFence
			continue
		}
		if !inFence && (strings.Contains(line, "<b>") || strings.Contains(line, "<missing>")) {
			t.Errorf("HTML outside a code block:\n%s", line)
		}
	}
	if !strings.Contains(md, "`html\\` &lt;b&gt;:") {
		t.Errorf("the note's HTML is not escaped in its cell:\n%s", md)
	}
	// Every block opens and closes with a fence of its own: two fence
	// lines per log block (worker, legacy) and per change.
	var fences []string
	for line := range strings.Lines(md) {
		if fenceLine.MatchString(line) {
			fences = append(fences, strings.TrimSpace(line))
		}
	}
	want := []string{"```", "```", "```", "```", "```diff", "```"}
	if !reflect.DeepEqual(fences, want) {
		t.Errorf("fence lines %q, want %q:\n%s", fences, want, md)
	}
}

// TestReportOK is the exit status's rule: 0 only when every service ended
// proven or withheld with its reason; any failure, also of the project as
// it is, and a report without services, give 2.
func TestReportOK(t *testing.T) {
	svc := func(statuses ...string) *Report {
		r := &Report{}
		for _, s := range statuses {
			r.Services = append(r.Services, ServiceReport{Name: s, Status: s})
		}
		return r
	}
	cases := []struct {
		r    *Report
		want bool
	}{
		{svc(StatusProven), true},
		{svc(StatusProven, StatusWithheld), true},
		{svc(StatusWithheld), true},
		{svc(StatusProven, StatusFailed), false},
		{svc(StatusFailedOriginally, StatusRanOriginally), false},
		{svc(StatusRanOriginally), false},
		{svc(), false},
		{testReport(), false},
	}
	for _, c := range cases {
		if got := c.r.OK(); got != c.want {
			t.Errorf("OK() of %d services %v = %v, want %v", len(c.r.Services), reportStatuses(c.r), got, c.want)
		}
	}
}

// reportStatuses lists the statuses of a report's services, for messages.
func reportStatuses(r *Report) []string {
	var out []string
	for _, s := range r.Services {
		out = append(out, s.Status)
	}
	return out
}

// TestSummary: a report where every service ran hardened says so, with
// the count of those withheld; one where a service failed says why,
// never "proven".
func TestSummary(t *testing.T) {
	r := &Report{Engine: "Podman 4.3.1", Compose: "docker-compose 1.29.2", Settle: 10, Services: []ServiceReport{
		{Name: "a", Status: StatusProven}, {Name: "b", Status: StatusWithheld}, {Name: "c", Status: StatusProven},
	}}
	want := "proven on Podman 4.3.1 with docker-compose 1.29.2: 3 of 3 services ran hardened for 10s (1 without a read-only root, reasons below)"
	if got := r.Summary(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := testReport().Summary(); strings.Contains(got, "proven") {
		t.Errorf("a failed trial's summary: %q", got)
	}
}
