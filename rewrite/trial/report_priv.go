package trial

// This file renders what the privilege search (rules non-root and
// cap-drop) found, in the text and markdown reports.

import (
	"fmt"
	"sort"
	"strings"
)

// hasPriv reports whether the privilege search says anything of s.
func (s ServiceReport) hasPriv() bool {
	return s.RunAs != "" || s.NeedsRoot != "" || s.Caps != nil || s.NoCapDrop != "" || len(s.PrivNotes) > 0
}

// userText says which user a service runs as, and why.
func (s ServiceReport) userText() string {
	switch {
	case s.RunAs != "":
		return s.RunAs + " (proven)"
	case s.NeedsRoot != "":
		return "root: " + s.NeedsRoot
	}
	return ""
}

// capsText says which capabilities a service keeps after dropping ALL.
func (s ServiceReport) capsText() string {
	switch {
	case s.Caps != nil && len(s.Caps.Kept) == 0:
		return "none"
	case s.Caps != nil:
		return strings.Join(s.Caps.Kept, " ")
	case s.NoCapDrop != "":
		return "all of the engine's (no cap_drop): " + s.NoCapDrop
	}
	return ""
}

// evidence lists the kept capabilities with why each stays, in order.
func (c *CapsReport) evidence() []string {
	var out []string
	for _, k := range c.Kept {
		out = append(out, k+": "+c.Evidence[k])
	}
	sort.Strings(out)
	return out
}

func writePrivText(b *strings.Builder, s ServiceReport) {
	if !s.hasPriv() {
		return
	}
	if u := s.userText(); u != "" {
		fmt.Fprintf(b, "      user: %s\n", u)
	}
	rounds := ""
	if s.PrivRounds > 0 {
		rounds = fmt.Sprintf("; %d %s", s.PrivRounds, plural(s.PrivRounds, "round"))
	}
	switch {
	case s.Caps != nil:
		fmt.Fprintf(b, "      cap_drop ALL, keeps: %s", s.capsText())
		if len(s.Caps.Removed) > 0 {
			fmt.Fprintf(b, " (ran without %s)", strings.Join(s.Caps.Removed, " "))
		}
		fmt.Fprintf(b, "%s\n", rounds)
	case s.NoCapDrop != "":
		fmt.Fprintf(b, "      no cap_drop: %s%s\n", s.NoCapDrop, rounds)
	}
	if s.Caps != nil {
		for _, e := range s.Caps.evidence() {
			fmt.Fprintf(b, "        needs %s\n", e)
		}
	}
	for _, n := range s.PrivNotes {
		fmt.Fprintf(b, "      note: %s\n", n)
	}
}

func writePrivMarkdown(b *strings.Builder, r *Report) {
	found := false
	for _, s := range r.Services {
		found = found || s.hasPriv()
	}
	if !found {
		return
	}
	fmt.Fprintf(b, "\nUsers and capabilities (cap_drop ALL), searched in %d rounds:\n\n", r.PrivRounds)
	b.WriteString("| service | user | capabilities kept | ran without | rounds | notes |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, s := range r.Services {
		if !s.hasPriv() {
			continue
		}
		var removed string
		if s.Caps != nil {
			removed = strings.Join(s.Caps.Removed, " ")
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %d | %s |\n", mdCell(s.Name), mdCell(s.userText()), mdCell(s.capsText()),
			mdCell(removed), s.PrivRounds, mdCell(strings.Join(s.PrivNotes, "; ")))
	}
	for _, s := range r.Services {
		if s.Caps == nil || len(s.Caps.Kept) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n<details><summary>%s: why each capability is kept</summary>\n\n```\n%s\n```\n</details>\n", mdEscape(s.Name), fence(strings.Join(s.Caps.evidence(), "\n")))
	}
}

// plural returns word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
