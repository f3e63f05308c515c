package policy

// This file reads the evidence of the table's facts and says which facts
// of an entry lack it (the built-in table's evidence test).

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Evidence is one line of an image's own build files that proves a fact,
// written "REPO@COMMIT FILE#LN[-LM] "QUOTE"":
//
//	docker-library/postgres@6edb0a8 17/bookworm/Dockerfile#L186 "VOLUME /var/lib/postgresql/data"
//
// REPO is OWNER/NAME on GitHub or HOST/PATH elsewhere (gitlab.com/...);
// COMMIT 7 to 40 hex digits; FILE the path in the repository; LN (to LM)
// the lines; QUOTE exact text of one of those lines (inner quotes kept).
type Evidence struct {
	Repo, Commit, File string
	Line, EndLine      int
	Quote              string
}

// maxQuote bounds a quote: a short excerpt, not a copy of the file.
const maxQuote = 160

// ParseEvidence reads an evidence string (see Evidence).
func ParseEvidence(s string) (Evidence, error) {
	var ev Evidence
	bad := func(why string) (Evidence, error) {
		return Evidence{}, fmt.Errorf("evidence %q: %s; want REPO@COMMIT FILE#LN \"QUOTE\"", s, why)
	}
	loc, quote, ok := strings.Cut(s, " \"")
	if !ok || !strings.HasSuffix(quote, "\"") || len(quote) < 2 {
		return bad("no quoted line")
	}
	ev.Quote = quote[:len(quote)-1]
	if strings.TrimSpace(ev.Quote) != ev.Quote || ev.Quote == "" || len(ev.Quote) > maxQuote {
		return bad(fmt.Sprintf("the quote must be 1 to %d characters without surrounding spaces", maxQuote))
	}
	repoAt, file, ok := strings.Cut(loc, " ")
	if !ok || strings.Contains(file, " ") {
		return bad("not REPO@COMMIT FILE#LINE")
	}
	var commit string
	ev.Repo, commit, ok = strings.Cut(repoAt, "@")
	if !ok || strings.Count(ev.Repo, "/") < 1 || strings.HasPrefix(ev.Repo, "/") || strings.HasSuffix(ev.Repo, "/") {
		return bad("no REPO@COMMIT")
	}
	if len(commit) < 7 || len(commit) > 40 || strings.Trim(commit, "0123456789abcdef") != "" {
		return bad("the commit is not 7 to 40 lower-case hex digits")
	}
	ev.Commit = commit
	var lines string
	ev.File, lines, ok = strings.Cut(file, "#L")
	if !ok || ev.File == "" || path.Clean(ev.File) != ev.File || strings.HasPrefix(ev.File, "/") {
		return bad("no FILE#LINE")
	}
	first, last, isRange := strings.Cut(lines, "-L")
	var err1, err2 error
	ev.Line, err1 = strconv.Atoi(first)
	ev.EndLine = ev.Line
	if isRange {
		ev.EndLine, err2 = strconv.Atoi(last)
	}
	if err1 != nil || err2 != nil || ev.Line < 1 || ev.EndLine < ev.Line {
		return bad("the lines are not #LN or #LN-LM")
	}
	return ev, nil
}

// String writes the evidence back in its form.
func (ev Evidence) String() string {
	lines := "#L" + strconv.Itoa(ev.Line)
	if ev.EndLine > ev.Line {
		lines += "-L" + strconv.Itoa(ev.EndLine)
	}
	return fmt.Sprintf("%s@%s %s%s \"%s\"", ev.Repo, ev.Commit, ev.File, lines, ev.Quote)
}

// Unproven lists what the evidence test holds against an entry of the
// built-in table, one line each: a fact without evidence, malformed
// evidence, a quote that does not mention its fact, a cond verdict
// without checks. A config file's entries need no evidence.
func (e *ImageEntry) Unproven() []string {
	var out []string
	out = append(out, e.unproven(e.Name)...)
	for _, r := range e.Ranges {
		out = append(out, r.unproven(e.Name+" "+r.Versions)...)
	}
	if e.Verdict == WorksWithConditions && len(e.Checks) == 0 {
		out = append(out, e.Name+": verdict cond without checks (a condition rofix cannot check makes the verdict no)")
	}
	return out
}

// unproven is Unproven for the facts of an entry or range named name.
func (e *ImageEntry) unproven(name string) []string {
	var out []string
	for _, key := range e.Facts() {
		user := e.User
		if key == FactKey("run_as", "") {
			user = e.RunAs
		}
		if why := mentions(key, user, e.Evidence[key]); why != "" {
			out = append(out, name+": "+key+": "+why)
		}
	}
	for _, c := range e.Checks {
		key := "check user"
		switch {
		case c.Env != "":
			key = FactKey("env", c.Env)
		case c.Mount != "":
			key = FactKey("volume", c.Mount)
		}
		if why := mentions(key, "", e.Evidence[FactKey("check", c.String())]); why != "" {
			out = append(out, name+": check "+c.String()+": "+why)
		}
	}
	return out
}

// mentions checks the evidence of the fact key: well-formed, and the
// quotes, together, mention the fact: a path fact its path (or its last
// element), an image VOLUME also the word VOLUME, an env fact the
// variable, a user fact USER and the user, from: FROM, a trait its
// runtime, a capability the operation that needs it (mentionsCap), run_as
// the uid (user holds run_as then) or "id -u". It returns why not, or "".
func mentions(key, user string, evidence []string) string {
	if len(evidence) == 0 {
		return "no evidence"
	}
	var quotes []string
	for _, s := range evidence {
		ev, err := ParseEvidence(s)
		if err != nil {
			return err.Error()
		}
		quotes = append(quotes, ev.Quote)
	}
	all := strings.Join(quotes, "\n")
	kind, value, _ := strings.Cut(key, " ")
	want := []string{value}
	switch kind {
	case "tmpfs", "volume", "image_volume", "no_tmpfs":
		alt := []string{value, path.Base(value)}
		if strings.HasPrefix(value, "/run/") {
			alt = append(alt, "/var"+value)
		}
		if prefix, ok := strings.CutSuffix(value, "{name}"); ok && len(prefix) > 1 {
			// A family's state path (/bitnami/{name}): one member's counts.
			alt = append(alt, prefix)
		}
		if !containsAny(all, alt...) {
			return fmt.Sprintf("no quote mentions %s", value)
		}
		want = nil
		if kind == "image_volume" {
			want = []string{"VOLUME"}
		}
	case "user":
		want = []string{"USER", user}
	case "check":
		if !containsAny(strings.ToLower(all), "user", "uid") {
			return "no quote mentions the user"
		}
		want = nil
	case "trait":
		runtime := map[string][]string{"s6": {"s6"}, "jvm": {"java", "jdk", "jre", "jvm"}}[value]
		if !containsAny(strings.ToLower(all), runtime...) {
			return fmt.Sprintf("no quote mentions %s", strings.Join(runtime, " or "))
		}
		want = nil
	case "cap":
		if why := mentionsCap(value, all); why != "" {
			return why
		}
		want = nil
	case "run_as":
		uid, _, _ := strings.Cut(user, ":")
		if !containsAny(all, uid, "id -u") {
			return fmt.Sprintf("no quote mentions uid %s or id -u", uid)
		}
		want = nil
	case "needs_root":
		want = nil
	case "from":
		want = []string{"FROM"}
	case "verdict":
		want = nil
	}
	for _, w := range want {
		if !strings.Contains(all, w) {
			return fmt.Sprintf("no quote mentions %s", w)
		}
	}
	return ""
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if sub != "" && strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
