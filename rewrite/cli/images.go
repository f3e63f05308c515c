package cli

// This file is the "rofix images [PATTERN]" subcommand: what rofix knows
// about images and where that knowledge comes from.

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/rofix/rofix/rewrite/policy"
)

const imagesUsage = `usage: rofix images [PATTERN]

Without PATTERN, list every entry of rofix's image knowledge: name,
verdict (yes: runs read-only; cond: only with its conditions; no: rofix
does not make it read-only), confidence and match patterns.

With PATTERN, an image reference (postgres:16, docker.io/library/nginx,
lscr.io/linuxserver/sonarr): print what a read-only container of that
image gets: tmpfs paths, state paths that need a volume, paths never to
hide under a tmpfs, settings, the image's user, the checks of a cond
verdict, and each entry that applied: the version its tag stands for
(floating tags such as latest resolve to the version the table states,
with the day it was read) and the tag ranges that applied, the base
entries it inherits (from:), and each fact with the tag range that states
it and its evidence (the quoted line of the image's own files and where
it is), then conditions, confidence and sources. A PATTERN that is no known image is
searched in entry names and patterns.

Exit status: 0 when something matched, 1 when nothing did (the default
applies: a tmpfs on /tmp only), 2 on a usage error.
`

// exitNoMatch is the status of "rofix images PATTERN" when nothing matched.
const exitNoMatch = 1

// runImages runs "rofix images" with the arguments after "images".
func runImages(k *policy.Knowledge, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprint(stdout, imagesUsage)
		return ExitOK
	}
	if len(args) > 1 || len(args) == 1 && strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "rofix: images takes at most one PATTERN and no flags, got %s\nRun 'rofix images -h' for usage.\n", strings.Join(args, " "))
		return ExitError
	}
	if len(args) == 0 {
		listEntries(stdout, k.Entries)
		return ExitOK
	}
	pattern := args[0]
	if n := k.Lookup(pattern); n.Known() {
		describeNeeds(stdout, k, n)
		return ExitOK
	}
	var found []*policy.ImageEntry
	needle := strings.ToLower(pattern)
	for _, e := range k.Entries {
		if strings.Contains(strings.ToLower(e.Name+" "+strings.Join(e.Match, " ")), needle) {
			found = append(found, e)
		}
	}
	if len(found) > 0 {
		listEntries(stdout, found)
		return ExitOK
	}
	ref := policy.ParseImageRef(pattern)
	if ref.Name == "" {
		fmt.Fprintf(stdout, "%s: the image cannot be read statically (a variable without a default)\n", pattern)
	} else {
		fmt.Fprintf(stdout, "%s: no entry for %s\n", pattern, ref.Name)
	}
	fmt.Fprintln(stdout, "The default applies: a read-only root with a tmpfs on /tmp, nothing else.")
	fmt.Fprintln(stdout, "Run the container once without read-only and see what it writes (rofix learn, or docker diff).")
	return exitNoMatch
}

// listEntries prints one line per entry, sorted by name.
func listEntries(w io.Writer, entries []*policy.ImageEntry) {
	sorted := append([]*policy.ImageEntry(nil), entries...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERDICT\tCONFIDENCE\tMATCH")
	for _, e := range sorted {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Name, e.Verdict, orDash(e.Confidence), strings.Join(e.Match, " "))
	}
	tw.Flush()
}

// describeNeeds prints what a container of one image needs, then each
// entry that applied, most specific first (an inherited one after the
// entry that names it in from:): its tag resolution, its facts each with
// its evidence, its checks, conditions and sources.
func describeNeeds(w io.Writer, k *policy.Knowledge, n policy.Needs) {
	ref := policy.ParseImageRef(n.Image)
	fmt.Fprintf(w, "image:      %s\n", n.Image)
	fmt.Fprintf(w, "normalised: %s (tag %s)\n", ref.Name, orDash(ref.Tag))
	fmt.Fprintf(w, "verdict:    %s\n", n.Verdict)
	fmt.Fprintf(w, "tmpfs:      %s\n", joinOrDash(n.Tmpfs))
	var vols []string // marked: (VOLUME) when the image declares it, (optional)
	for _, p := range n.Volumes {
		v := p
		if slices.Contains(n.ImageVolumes, p) {
			v += " (VOLUME)"
		}
		if slices.Contains(n.OptionalVolumes, p) {
			v += " (optional)"
		}
		vols = append(vols, v)
	}
	fmt.Fprintf(w, "volumes:    %s\n", orDash(strings.Join(vols, ", ")))
	fmt.Fprintf(w, "no_tmpfs:   %s\n", joinOrDash(n.NoTmpfs))
	var env []string
	for _, s := range n.Env {
		if s.Required {
			env = append(env, s.Name+"="+s.Value+" (required)")
		} else {
			env = append(env, s.Name+"="+s.Value)
		}
	}
	fmt.Fprintf(w, "env:        %s\n", joinOrDash(env))
	for _, s := range n.Env {
		wrap(w, "  "+s.Name+": ", s.Why)
	}
	if n.User != "" {
		fmt.Fprintf(w, "user:       %s\n", n.User)
	}
	if n.CapsKnown {
		fmt.Fprintf(w, "caps:       %s\n", orDash(strings.Join(n.Caps, " ")))
	}
	if n.RunAs != "" {
		fmt.Fprintf(w, "run_as:     %s\n", n.RunAs)
	}
	if n.NeedsRoot != "" {
		wrap(w, "needs_root: ", n.NeedsRoot)
	}
	for _, c := range n.Checks {
		wrap(w, "check:      ", c.String()+strings.TrimSuffix(" ("+c.Why+")", " ()"))
	}
	resolved := map[string]policy.Resolution{}
	for _, r := range n.Resolved {
		resolved[r.Entry] = r
	}
	for _, e := range n.Entries {
		verdict := string(e.Verdict)
		if verdict == "" {
			verdict = "from its base"
		}
		fmt.Fprintf(w, "\nentry %q (verdict %s, confidence %s)\n", e.Name, verdict, orDash(e.Confidence))
		fmt.Fprintf(w, "  match:      %s\n", strings.Join(e.Match, " "))
		if e.Inherited != "" {
			fmt.Fprintf(w, "  inherited:  by %s, built FROM %s\n", e.Inherited, resolved[e.Inherited].From)
		}
		r, hasR := resolved[e.Name]
		if hasR && r.Version != "" {
			tag := "version " + r.Version
			if len(r.Ranges) > 0 {
				tag += ", ranges " + strings.Join(r.Ranges, " ")
			}
			fmt.Fprintf(w, "  tag:        %s\n", tag)
			if r.Note != "" {
				wrap(w, "              ", r.Note)
			}
		}
		if hasR && r.From != "" {
			fmt.Fprintf(w, "  from:       %s (entries %s)\n", r.From, orDash(strings.Join(r.Base, ", ")))
		}
		if len(e.Traits) > 0 {
			fmt.Fprintf(w, "  traits:     %s\n", strings.Join(e.Traits, " "))
		}
		describeFacts(w, e, rangeOf(k, e, r))
		if e.Conditions != "" {
			wrap(w, "  conditions: ", e.Conditions)
		}
		for i, s := range e.Sources {
			label := "  sources:    "
			if i > 0 {
				label = strings.Repeat(" ", len(label))
			}
			fmt.Fprintf(w, "%s%s\n", label, s)
		}
	}
}

// describeFacts prints the facts of a resolved entry, each with the tag
// range that states it (from rangeOf) and its evidence: the quoted line
// and where it is; "no evidence" when the entry (a config file's) has none.
func describeFacts(w io.Writer, e *policy.ImageEntry, rangeOf func(key string) string) {
	keys := e.Facts()
	if e.Verdict != "" && e.Verdict != policy.DoesNotWork {
		keys = append(keys, policy.FactKey("verdict", ""))
	}
	evidence := func(label string, ev []string) {
		fmt.Fprintf(w, "    %s\n", label)
		if len(ev) == 0 {
			fmt.Fprintln(w, "      no evidence")
		}
		for _, s := range ev {
			p, err := policy.ParseEvidence(s)
			if err != nil {
				fmt.Fprintf(w, "      %s (malformed)\n", s)
				continue
			}
			fmt.Fprintf(w, "      \"%s\"\n      %s\n", p.Quote, evidenceLink(p))
		}
	}
	fmt.Fprintln(w, "  facts:")
	for _, key := range keys {
		label := key
		switch key {
		case "user":
			label = "user " + e.User
		case "from":
			label = "from " + e.From
		case "run_as":
			label = "run_as " + e.RunAs
		case "verdict":
			label = "verdict " + string(e.Verdict)
			if len(e.Evidence[key]) == 0 && e.Verdict != policy.DoesNotWork {
				continue // a yes or cond follows from the facts and checks
			}
		}
		if r := rangeOf(key); r != "" {
			label += " (tags " + r + ")"
		}
		evidence(label, e.Evidence[key])
	}
	for _, c := range e.Checks {
		evidence("check "+c.String(), e.Evidence[policy.FactKey("check", c.String())])
	}
}

// rangeOf returns, for a resolved entry e, a function naming the tag
// range of the table's entry that states a fact ("" for the entry's own).
func rangeOf(k *policy.Knowledge, e *policy.ImageEntry, r policy.Resolution) func(string) string {
	var table *policy.ImageEntry
	for _, t := range k.Entries {
		if t.Name == e.Name {
			table = t
			break
		}
	}
	return func(key string) string {
		if table == nil || slices.Contains(table.Facts(), key) {
			return ""
		}
		for _, rg := range table.Ranges {
			if slices.Contains(r.Ranges, rg.Versions) && slices.Contains(rg.Facts(), key) {
				return rg.Versions
			}
		}
		return ""
	}
}

// evidenceLink is where an evidence line is: a GitHub link, or the
// repository, commit, file and lines as written.
func evidenceLink(ev policy.Evidence) string {
	lines := fmt.Sprintf("#L%d", ev.Line)
	if ev.EndLine > ev.Line {
		lines += fmt.Sprintf("-L%d", ev.EndLine)
	}
	if strings.Count(ev.Repo, "/") == 1 {
		return "https://github.com/" + ev.Repo + "/blob/" + ev.Commit + "/" + ev.File + lines
	}
	return ev.Repo + "@" + ev.Commit + " " + ev.File + lines
}

// wrap prints text after label, wrapped at 78 columns and indented under
// its first word.
func wrap(w io.Writer, label, text string) {
	line, indent := label, strings.Repeat(" ", len(label))
	for i, word := range strings.Fields(text) {
		if i > 0 && len(line)+1+len(word) > 78 {
			fmt.Fprintln(w, line)
			line = indent + word
			continue
		}
		if i > 0 {
			line += " "
		}
		line += word
	}
	fmt.Fprintln(w, line)
}

func joinOrDash(s []string) string { return orDash(strings.Join(s, " ")) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
