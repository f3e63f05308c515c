package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// findingShape is the documented shape of a finding: path:line:col: rule: message.
var findingShape = re(`^.+?:\d+:\d+: [a-z][a-z-]*: `)

// writeReport prints the measurement as markdown: one row per repository,
// a total row, and the class totals.
func writeReport(w io.Writer, results []*Result, bin string, flags []string, took time.Duration) {
	classes := allClasses()
	fmt.Fprintf(w, "rofix %s over %d repositories, from each root (`rofix -d%s .`); the whole run took %v.\n\n",
		bin, len(results), strings.TrimRight(" "+strings.Join(flags, " "), " "), took.Round(time.Second))
	fmt.Fprint(w, "| repository | files | hunks | edits | rejected |")
	for _, c := range classes {
		fmt.Fprintf(w, " %s |", c)
	}
	fmt.Fprintln(w, " errors | notes | exit | not idempotent |")
	fmt.Fprint(w, "|---|--:|--:|--:|--:|")
	for range classes {
		fmt.Fprint(w, "--:|")
	}
	fmt.Fprintln(w, "--:|--:|--:|--:|")
	total := &Result{Repo: "**total**", ClassEdits: map[Class]int{}, ClassFiles: map[Class]int{}}
	repos := map[Class]int{}
	crashes, exit2 := 0, 0
	for _, r := range results {
		row(w, r, classes)
		total.Files += r.Files
		total.Hunks += r.Hunks
		total.Edits += r.Edits
		total.Rejected += r.Rejected
		total.Errors = append(total.Errors, r.Errors...)
		total.Notes += r.Notes
		total.NotIdem = append(total.NotIdem, r.NotIdem...)
		for _, c := range classes {
			total.ClassEdits[c] += r.ClassEdits[c]
			total.ClassFiles[c] += r.ClassFiles[c]
			if r.ClassEdits[c] > 0 {
				repos[c]++
			}
		}
		if r.Crash {
			crashes++
		}
		if r.Exit == 2 {
			exit2++
		}
	}
	total.Exit = exit2
	row(w, total, classes)
	fmt.Fprintf(w, "\n(exit: rofix -d's status; in the total row, the repositories that exited with 2. Crashes: %d.)\n\n", crashes)

	fmt.Fprintln(w, "| class | edits | files | repositories |")
	fmt.Fprintln(w, "|---|--:|--:|--:|")
	for _, c := range classes {
		fmt.Fprintf(w, "| %s | %d | %d | %d |\n", c, total.ClassEdits[c], total.ClassFiles[c], repos[c])
	}
	fmt.Fprintf(w, "| any (edits rejected) | %d of %d | | |\n", total.Rejected, total.Edits)
	if len(total.Errors) > 0 {
		fmt.Fprintf(w, "\nError lines (stderr lines without the `path:line:col: rule:` shape), %d:\n\n", len(total.Errors))
		for _, r := range results {
			for _, e := range r.Errors {
				fmt.Fprintf(w, "- %s: `%s`\n", r.Repo, clip(e, 200))
			}
		}
	}
	if len(total.NotIdem) > 0 {
		fmt.Fprintf(w, "\nNot idempotent (listed by rofix -l after rofix -w), %d:\n\n", len(total.NotIdem))
		for _, r := range results {
			for _, f := range r.NotIdem {
				fmt.Fprintf(w, "- %s: %s\n", r.Repo, f)
			}
		}
	}
}

func row(w io.Writer, r *Result, classes []Class) {
	fmt.Fprintf(w, "| %s | %d | %d | %d | %d |", r.Repo, r.Files, r.Hunks, r.Edits, r.Rejected)
	for _, c := range classes {
		if r.ClassEdits[c] == 0 {
			fmt.Fprint(w, " · |")
		} else {
			fmt.Fprintf(w, " %d |", r.ClassEdits[c])
		}
	}
	crash := ""
	if r.Crash {
		crash = " crash"
	}
	fmt.Fprintf(w, " %d | %d | %d%s | %d |\n", len(r.Errors), r.Notes, r.Exit, crash, len(r.NotIdem))
}
