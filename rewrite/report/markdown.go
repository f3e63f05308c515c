package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
)

// MarkdownBudget is the most bytes WriteMarkdown writes: under GitHub's
// limit of 65,536 characters for a pull request body, with room left for a
// caller's own footer.
const MarkdownBudget = 60000

// WriteMarkdown writes the body of a pull request for the run: a summary
// line, what rofix is in one sentence, counts by rule, then for every file
// with something to say what changed and why, and what still needs a
// person; finally what each kind of change is for. Files are in the run's
// order and the text depends on nothing else, so the same run gives the
// same body.
//
// The body stays within budget bytes (MarkdownBudget when budget <= 0): when
// the details of every file do not fit, the first files keep their details
// and the rest get one line each; when even those do not fit, the last
// lines are replaced by a count of the files left out. Lines are never cut.
func WriteMarkdown(w io.Writer, files []File, budget int) error {
	if budget <= 0 {
		budget = MarkdownBudget
	}
	var sum Summary
	var shown []*File
	for i := range files {
		f := &files[i]
		sum.Add(f)
		if f.Changed || f.Err != nil || len(f.Findings) > 0 {
			shown = append(shown, f)
		}
	}
	rb := newRuleBook()
	head := mdHead(&sum)
	why := mdWhy(&sum)
	full := make([]string, len(shown))
	short := make([]string, len(shown))
	for i, f := range shown {
		full[i], short[i] = mdFile(rb, f), mdFileLine(rb, f)
	}
	total := len(head) + len(why)
	for _, s := range full {
		total += len(s)
	}
	if total <= budget {
		_, err := io.WriteString(w, head+strings.Join(full, "")+why)
		return err
	}
	const briefHead = "\n### Other files, in brief\n\n"
	// Room for the files, keeping enough for the line that counts the
	// files left out.
	room := budget - len(head) - len(why) - len(briefHead) - len(mdMore(len(shown)))
	// The longest prefix of files shown in full with the rest in brief.
	rest := 0
	for _, s := range short {
		rest += len(s)
	}
	var b strings.Builder
	b.WriteString(head)
	used, k := 0, 0
	for ; k < len(shown); k++ {
		if used+len(full[k])+rest-len(short[k]) > room {
			break
		}
		used += len(full[k])
		rest -= len(short[k])
		b.WriteString(full[k])
	}
	if k < len(shown) {
		b.WriteString(briefHead)
		for i := k; i < len(shown); i++ {
			need := len(short[i])
			if i+1 < len(shown) {
				need += len(mdMore(len(shown) - i - 1))
			}
			if used+need > room {
				b.WriteString(mdMore(len(shown) - i))
				break
			}
			used += len(short[i])
			b.WriteString(short[i])
		}
	}
	b.WriteString(why)
	_, err := io.WriteString(w, b.String())
	return err
}

// mdMore is the line standing for n files left out.
func mdMore(n int) string {
	return fmt.Sprintf("- …and %s not listed here; `rofix -l` lists the files rofix changes.\n", plural(n, "more file"))
}

// mdHead is the summary line, the sentence about rofix and the counts.
func mdHead(s *Summary) string {
	var b strings.Builder
	switch {
	case s.Changed > 0:
		fmt.Fprintf(&b, "**rofix hardened %s and %s in %s.**", plural(s.Services, "service"), plural(s.Commands, "run command"), plural(s.Changed, "file"))
	default:
		fmt.Fprintf(&b, "**rofix found nothing to change in %s.**", plural(s.Files, "file"))
	}
	if open := s.NeedPerson; open == 1 {
		b.WriteString(" 1 finding needs a person.")
	} else if open > 1 {
		fmt.Fprintf(&b, " %d findings need a person.", open)
	}
	if s.Errors > 0 {
		fmt.Fprintf(&b, " %s could not be processed and %s unchanged.", plural(s.Errors, "file"), isAre(s.Errors))
	}
	b.WriteString("\n\n")
	b.WriteString("rofix hardens the files that start containers (Docker Compose files and shell scripts running `docker run` and the like): " +
		"a read-only root filesystem, a tmpfs where the app writes temporary files, no privilege escalation, and read-only mounts for what the container only reads. " +
		"It edits only the lines that need it and leaves explicit choices alone.\n")
	rules := s.ByRule()
	if len(rules) > 0 {
		b.WriteString("\n| | changed | left as is |\n|---|---:|---:|\n")
		for _, c := range rules {
			fmt.Fprintf(&b, "| %s | %d | %d |\n", mdText(RuleFor(c.Rule).Title), c.Fixed, c.Open)
		}
	}
	return b.String()
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// mdFile is a file's full section: the changes grouped by service or
// command, then what needs a person.
func mdFile(rb *ruleBook, f *File) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n### %s\n\n", mdCode(f.Path))
	if f.Err != nil {
		b.WriteString("- **Could not be processed")
		if p := f.Err.Pos; p != nil {
			fmt.Fprintf(&b, " (line %d)", p.Line)
		}
		fmt.Fprintf(&b, "**: %s. The file is unchanged.\n", mdText(strings.TrimSuffix(f.Err.Message, ".")))
	}
	// Changes, grouped by what they harden, in the order they first appear.
	var order []string
	groups := map[string][]Finding{}
	for _, fd := range f.Findings {
		if !fd.Fixed {
			continue
		}
		key := mdSubject(fd.Subject)
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], fd)
	}
	for _, key := range order {
		fmt.Fprintf(&b, "- %s\n", key)
		group := groups[key]
		sort.SliceStable(group, func(i, j int) bool { return rb.rank(group[i].Rule) < rb.rank(group[j].Rule) })
		for _, fd := range group {
			fmt.Fprintf(&b, "  - %s: %s\n", mdText(rb.doc(fd.Rule).Title), mdText(fd.Message))
		}
	}
	mdUnfixed(&b, rb, f, SeverityWarning, "Needs a person")
	mdUnfixed(&b, rb, f, SeverityNote, "Left alone on purpose")
	return b.String()
}

// mdUnfixed lists a file's unfixed findings of one severity.
func mdUnfixed(b *strings.Builder, rb *ruleBook, f *File, sev Severity, heading string) {
	first := true
	for _, fd := range f.Findings {
		if fd.Fixed || fd.Severity != sev {
			continue
		}
		if first {
			fmt.Fprintf(b, "- **%s:**\n", heading)
			first = false
		}
		where := fmt.Sprintf("line %d", fd.Start.Line)
		if s := fd.Subject; s != nil {
			where += ", " + s.Kind + " " + mdCode(s.Name)
		}
		fmt.Fprintf(b, "  - %s (%s): %s\n", mdText(rb.doc(fd.Rule).Title), where, mdText(fd.Message))
	}
}

func mdSubject(s *Subject) string {
	switch {
	case s == nil:
		return "**The file**"
	case s.Kind == "service":
		return fmt.Sprintf("**Service %s** (line %d)", mdCode(s.Name), s.Line)
	default:
		return fmt.Sprintf("**Command %s** (line %d)", mdCode(s.Name), s.Line)
	}
}

// mdFileLine is a file in one line: its changes and open findings counted
// by rule.
func mdFileLine(rb *ruleBook, f *File) string {
	var parts []string
	if f.Err != nil {
		parts = append(parts, "could not be processed, unchanged")
	}
	fixed, open := map[finding.Rule]int{}, map[finding.Rule]int{}
	for _, fd := range f.Findings {
		switch {
		case fd.Fixed:
			fixed[fd.Rule]++
		case fd.Severity == SeverityWarning:
			open[fd.Rule]++
		}
	}
	if c := countList(rb, fixed); c != "" {
		parts = append(parts, "changed: "+c)
	}
	if c := countList(rb, open); c != "" {
		parts = append(parts, "needs a person: "+c)
	}
	return fmt.Sprintf("- %s: %s\n", mdCode(f.Path), strings.Join(parts, "; "))
}

// countList renders counts per rule id in the order of Rules().
func countList(rb *ruleBook, counts map[finding.Rule]int) string {
	var parts []string
	seen := map[finding.Rule]bool{}
	for _, d := range rb.docs {
		if n := counts[d.ID]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", d.ID, n))
			seen[d.ID] = true
		}
	}
	var other []string
	for id, n := range counts {
		if !seen[id] {
			other = append(other, fmt.Sprintf("%s %d", id, n))
		}
	}
	sort.Strings(other)
	return strings.Join(append(parts, other...), ", ")
}

// mdWhy explains each kind of finding the run has.
func mdWhy(s *Summary) string {
	rules := s.ByRule()
	if len(rules) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n### Why\n\n")
	for _, c := range rules {
		d := RuleFor(c.Rule)
		fmt.Fprintf(&b, "- **%s** (%s): %s %s\n", mdText(d.Title), mdCode(string(d.ID)), mdText(d.Full), mdText(d.Why))
	}
	return b.String()
}

// mdText escapes the characters markdown would read as formatting, and
// keeps the text on one line. An underscore inside a word (read_only) is
// plain text to GitHub and stays as it is.
func mdText(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r == '_' && i > 0 && i+1 < len(s) && isWordByte(s[i-1]) && isWordByte(s[i+1]) {
			b.WriteByte('_')
			continue
		}
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '#', '!', '{', '}':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode renders s as a code span, with a fence longer than any run of
// backticks in it.
func mdCode(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || len(fence) > 1 {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
