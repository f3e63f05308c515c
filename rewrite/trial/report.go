package trial

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/rofix/rofix/rewrite/diff"
)

// The statuses of a service in a report.
const (
	// StatusProven: it ran hardened (read-only root) as it ran before.
	StatusProven = "proven"
	// StatusWithheld: it ran hardened without a read-only root, for the
	// reason given (no-new-privileges and the rest still apply).
	StatusWithheld = "withheld"
	// StatusFailed: it does not run hardened, even after repairs.
	StatusFailed = "failed"
	// StatusFailedOriginally: it does not run as it is.
	StatusFailedOriginally = "failed originally"
	// StatusRanOriginally: it ran as it is, in a project where another
	// service did not (nothing was hardened).
	StatusRanOriginally = "ran originally"
)

// Report is what a trial found, for each output format.
type Report struct {
	// File is the compose file, as named.
	File string `json:"file"`
	// Engine and Compose name what the trial ran on, with versions.
	Engine  string `json:"engine"`
	Compose string `json:"compose"`
	// Settle is how long, in seconds, each service had to hold its state.
	Settle float64 `json:"settle_seconds"`
	// Rounds counts the hardened runs (1 without repairs).
	Rounds int `json:"rounds"`
	// PrivRounds counts the rounds of the privilege search (rules
	// non-root and cap-drop), the final run of the file as written
	// included.
	PrivRounds int `json:"privilege_rounds,omitempty"`
	// Seconds is the trial's duration.
	Seconds float64 `json:"seconds"`
	// Outcome says, when not every service is proven or withheld, why.
	Outcome string `json:"outcome,omitempty"`
	// Services are the project's services, by name.
	Services []ServiceReport `json:"services"`
	// NotRun are the services of the file that compose did not start (a
	// profile not active, a scale of 0): hardened in the file like every
	// service, but without proof.
	NotRun []string `json:"not_run,omitempty"`
	// Changes are the files the hardening changes, with their diffs.
	Changes []Change `json:"changes"`
	// Written lists the files -w wrote.
	Written []string `json:"written"`
}

// A ServiceReport is one service's result and its evidence.
type ServiceReport struct {
	Name string `json:"name"`
	// Status is proven, withheld, failed or failed originally.
	Status string `json:"status"`
	// Original is the state it reached as it is: healthy, running (for
	// the settle period), exited 0.
	Original string `json:"original_state"`
	// State is the state it reached hardened.
	State string `json:"state,omitempty"`
	// Seconds is how long it was observed hardened.
	Seconds float64 `json:"seconds_observed,omitempty"`
	// ReadOnly and NoNewPrivs are what the engine's inspect showed.
	ReadOnly   bool `json:"read_only"`
	NoNewPrivs bool `json:"no_new_privileges"`
	// Tmpfs are its tmpfs mounts, Volumes the state paths it needs.
	Tmpfs   []string `json:"tmpfs"`
	Volumes []string `json:"volumes,omitempty"`
	// Repairs are what the repair rounds gave it.
	Repairs []string `json:"repairs,omitempty"`
	// Notes are what a reviewer should know of a service that ran.
	Notes []string `json:"notes,omitempty"`
	// Reason says why it is withheld or failed.
	Reason string `json:"reason,omitempty"`
	// Logs are the log lines that show it (writes refused read-only, or
	// the end of the logs of a service that failed).
	Logs []string `json:"logs,omitempty"`

	// With the opt-in rules non-root and cap-drop on: RunAs is the
	// non-root user ("UID:GID") it was proven to run as, NeedsRoot why it
	// starts as root; Caps what it keeps after dropping ALL, NoCapDrop why
	// it keeps the engine's capabilities; PrivRounds the rounds its search
	// took.
	RunAs      string      `json:"run_as,omitempty"`
	NeedsRoot  string      `json:"needs_root,omitempty"`
	Caps       *CapsReport `json:"caps,omitempty"`
	NoCapDrop  string      `json:"no_cap_drop,omitempty"`
	PrivRounds int         `json:"privilege_rounds,omitempty"`
	// PrivNotes say what the search left alone and why (a user or
	// capabilities set in the file, privileged, the image's own user).
	PrivNotes []string `json:"privilege_notes,omitempty"`
	// User, CapDrop and CapAdd are what the engine's inspect showed of
	// the file as written, run after the search.
	User    string   `json:"user,omitempty"`
	CapDrop []string `json:"cap_drop,omitempty"`
	CapAdd  []string `json:"cap_add,omitempty"`
}

// A CapsReport is what a capability search found: the capabilities kept
// after dropping ALL, with the evidence that each is needed (how the
// service did without it), and those it ran without.
type CapsReport struct {
	Kept     []string          `json:"kept"`
	Evidence map[string]string `json:"evidence,omitempty"`
	Removed  []string          `json:"removed"`
}

// A Change is one file the hardening changes.
type Change struct {
	Path string `json:"path"`
	Diff string `json:"diff"`
}

// OK reports whether every service ended proven or withheld.
func (r *Report) OK() bool {
	for _, s := range r.Services {
		if s.Status != StatusProven && s.Status != StatusWithheld {
			return false
		}
	}
	return len(r.Services) > 0
}

// count returns how many services have the status.
func (r *Report) count(status string) int {
	n := 0
	for _, s := range r.Services {
		if s.Status == status {
			n++
		}
	}
	return n
}

// setChanges records the diffs of the config file and compose files.
func (r *Report) setChanges(t *trial, cfg []byte, files [][]byte) {
	if string(cfg) != string(t.cfgSrc) {
		r.Changes = append(r.Changes, Change{t.cfgShown, string(diff.Unified(t.cfgShown, t.cfgShown, t.cfgSrc, cfg))})
	}
	for i, f := range t.p.Files {
		if string(files[i]) != string(t.p.Src[i]) {
			name := filepath.Join(filepath.Dir(t.p.Shown), f)
			r.Changes = append(r.Changes, Change{name, string(diff.Unified(name, name, t.p.Src[i], files[i]))})
		}
	}
}

// Summary is the report's one-line verdict.
func (r *Report) Summary() string {
	if r.Outcome != "" && !r.OK() {
		return r.Outcome
	}
	proven, withheld := r.count(StatusProven), r.count(StatusWithheld)
	s := fmt.Sprintf("proven on %s with %s: %d of %d services ran hardened for %gs", r.Engine, r.Compose, proven+withheld, len(r.Services), r.Settle)
	if withheld > 0 {
		s += fmt.Sprintf(" (%d without a read-only root, reasons below)", withheld)
	}
	return s
}

// render writes the report in a format.
func render(w io.Writer, format string, r *Report) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "markdown":
		return writeMarkdown(w, r)
	}
	return writeText(w, r)
}

func writeText(w io.Writer, r *Report) error {
	var b strings.Builder
	for _, c := range r.Changes {
		b.WriteString(c.Diff)
	}
	fmt.Fprintf(&b, "%s: %s\n", r.File, r.Summary())
	if r.PrivRounds > 0 {
		fmt.Fprintf(&b, "users and capabilities searched in %d rounds (the last runs the file as written)\n", r.PrivRounds)
	}
	for _, s := range r.Services {
		fmt.Fprintf(&b, "  %-12s %s", s.Name, s.Status)
		switch s.Status {
		case StatusProven, StatusWithheld:
			fmt.Fprintf(&b, ": %s for %gs, read-only %s, no-new-privileges %s", s.State, s.Seconds, yesNo(s.ReadOnly), yesNo(s.NoNewPrivs))
			if len(s.Tmpfs) > 0 {
				fmt.Fprintf(&b, ", tmpfs %s", strings.Join(s.Tmpfs, " "))
			}
		case StatusFailed:
			fmt.Fprintf(&b, ": %s", s.State)
		case StatusFailedOriginally:
			fmt.Fprintf(&b, ": %s", s.Original)
		}
		b.WriteString("\n")
		for _, rp := range s.Repairs {
			fmt.Fprintf(&b, "      repaired: %s\n", rp)
		}
		if s.Reason != "" {
			fmt.Fprintf(&b, "      why: %s\n", s.Reason)
		}
		for _, n := range s.Notes {
			fmt.Fprintf(&b, "      note: %s\n", n)
		}
		for _, l := range s.Logs {
			fmt.Fprintf(&b, "      | %s\n", l)
		}
		writePrivText(&b, s)
	}
	for _, n := range r.NotRun {
		fmt.Fprintf(&b, "  %-12s %s\n", n, notRunText)
	}
	for _, p := range r.Written {
		fmt.Fprintf(&b, "wrote %s\n", p)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// notRunText says what a service compose did not start got.
const notRunText = "not run: compose up did not start it (a profile?); hardened in the file without proof"

func writeMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### rofix try: %s\n\n", mdEscape(r.File))
	fmt.Fprintf(&b, "%s.\n\n", mdEscape(r.Summary()))
	b.WriteString("| service | result | state | read-only root | no-new-privileges | tmpfs | notes |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, s := range r.Services {
		state := s.State
		if s.Status == StatusFailedOriginally {
			state = s.Original
		} else if s.Seconds > 0 {
			state = fmt.Sprintf("%s (%gs)", s.State, s.Seconds)
		}
		notes := s.Reason
		if len(s.Repairs) > 0 {
			notes = strings.TrimPrefix(notes+"; repaired: "+strings.Join(s.Repairs, ", "), "; ")
		}
		for _, n := range s.Notes {
			notes = strings.TrimPrefix(notes+"; "+n, "; ")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", mdCell(s.Name), s.Status, mdCell(state),
			yesNo(s.ReadOnly), yesNo(s.NoNewPrivs), mdCell(strings.Join(s.Tmpfs, " ")), mdCell(notes))
	}
	for _, n := range r.NotRun {
		fmt.Fprintf(&b, "| %s | not run | | | | | %s |\n", mdCell(n), mdCell(notRunText))
	}
	writePrivMarkdown(&b, r)
	for _, s := range r.Services {
		if len(s.Logs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n<details><summary>%s: log lines</summary>\n\n```\n%s\n```\n</details>\n", mdEscape(s.Name), fence(strings.Join(s.Logs, "\n")))
	}
	for _, c := range r.Changes {
		fmt.Fprintf(&b, "\n<details><summary>%s</summary>\n\n```diff\n%s```\n</details>\n", mdEscape(c.Path), fence(c.Diff))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// mdCell escapes text for a markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(mdEscape(s))
}

// mdEscape keeps text from being read as markup or HTML.
func mdEscape(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", "`", "\\`").Replace(s)
}

// fence keeps text inside a fenced block from closing it.
func fence(s string) string {
	return strings.ReplaceAll(s, "```", "`\u200b``")
}
