package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
)

// A Summary counts a run: the files, the services and commands hardened
// and the findings by rule. Add files to it as they complete.
type Summary struct {
	Files    int // files rofix reported on (scanned, skipped or failed)
	Changed  int
	Skipped  int // left alone for a reason that is not an error
	Errors   int
	Services int // compose services with at least one fix
	Commands int // run commands with at least one fix
	// NeedPerson counts the findings of severity warning: left as they are
	// and for a person to look at.
	NeedPerson int
	rules      map[finding.Rule]*RuleCount
}

// A RuleCount is the number of findings of one rule.
type RuleCount struct {
	Rule  finding.Rule
	Fixed int // fixed by rofix's edits
	Open  int // not fixed: left for a person, or as a directive decided
}

// Add counts one file.
func (s *Summary) Add(f *File) {
	s.Files++
	switch {
	case f.Err != nil:
		s.Errors++
	case f.Note != "":
		s.Skipped++
	}
	if f.Changed {
		s.Changed++
	}
	hardened := map[Subject]bool{}
	for _, fd := range f.Findings {
		c := s.count(fd.Rule)
		if fd.Fixed {
			c.Fixed++
			if fd.Subject != nil {
				hardened[*fd.Subject] = true
			}
		} else {
			c.Open++
		}
		if fd.Severity == SeverityWarning {
			s.NeedPerson++
		}
	}
	for subj := range hardened {
		if subj.Kind == "service" {
			s.Services++
		} else {
			s.Commands++
		}
	}
}

// count returns the counter of a rule.
func (s *Summary) count(rule finding.Rule) *RuleCount {
	if s.rules == nil {
		s.rules = map[finding.Rule]*RuleCount{}
	}
	c := s.rules[rule]
	if c == nil {
		c = &RuleCount{Rule: rule}
		s.rules[rule] = c
	}
	return c
}

// ByRule returns the counts of the rules with findings: the rules in the
// order of Rules(), then any other id in byte order.
func (s *Summary) ByRule() []RuleCount {
	var out []RuleCount
	for _, d := range Rules() {
		if c := s.rules[d.ID]; c != nil {
			out = append(out, *c)
		}
	}
	var other []RuleCount
	for id, c := range s.rules {
		if !isDocumented(id) {
			other = append(other, *c)
		}
	}
	sort.Slice(other, func(i, j int) bool { return other[i].Rule < other[j].Rule })
	return append(out, other...)
}

func isDocumented(id finding.Rule) bool {
	for _, d := range Rules() {
		if d.ID == id {
			return true
		}
	}
	return false
}

// Fixed returns the number of findings rofix fixed.
func (s *Summary) Fixed() int { return s.total(func(c RuleCount) int { return c.Fixed }) }

// Open returns the number of findings left for a person.
func (s *Summary) Open() int { return s.total(func(c RuleCount) int { return c.Open }) }

func (s *Summary) total(f func(RuleCount) int) int {
	n := 0
	for _, c := range s.rules {
		n += f(*c)
	}
	return n
}

// Text renders the summary as the lines rofix prints on stderr after a run:
//
//	rofix: 12 files scanned: 3 changed, 1 skipped, 1 with errors
//	rofix: hardened 4 services and 2 commands
//	rofix: findings: read-only 5 (4 fixed), tmpfs 4 (4 fixed), ...
func (s *Summary) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rofix: %s scanned: %d changed, %d skipped, %d with errors\n",
		plural(s.Files, "file"), s.Changed, s.Skipped, s.Errors)
	fmt.Fprintf(&b, "rofix: hardened %s and %s\n", plural(s.Services, "service"), plural(s.Commands, "command"))
	rules := s.ByRule()
	if len(rules) == 0 {
		b.WriteString("rofix: no findings\n")
		return b.String()
	}
	parts := make([]string, len(rules))
	for i, c := range rules {
		parts[i] = fmt.Sprintf("%s %d (%d fixed)", c.Rule, c.Fixed+c.Open, c.Fixed)
	}
	fmt.Fprintf(&b, "rofix: findings: %s\n", strings.Join(parts, ", "))
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
