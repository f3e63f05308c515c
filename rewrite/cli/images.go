package cli

// This file is the "rofix images [PATTERN]" subcommand: what rofix knows
// about images and where that knowledge comes from.

import (
	"fmt"
	"io"
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
hide under a tmpfs, settings, verdict, and each matched entry with its
conditions, confidence and sources. A PATTERN that is no known image is
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
		describeNeeds(stdout, n)
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
// matched entry, most specific first.
func describeNeeds(w io.Writer, n policy.Needs) {
	ref := policy.ParseImageRef(n.Image)
	fmt.Fprintf(w, "image:      %s\n", n.Image)
	fmt.Fprintf(w, "normalised: %s (tag %s)\n", ref.Name, orDash(ref.Tag))
	fmt.Fprintf(w, "verdict:    %s\n", n.Verdict)
	fmt.Fprintf(w, "tmpfs:      %s\n", joinOrDash(n.Tmpfs))
	fmt.Fprintf(w, "volumes:    %s\n", joinOrDash(n.Volumes))
	fmt.Fprintf(w, "no_tmpfs:   %s\n", joinOrDash(n.NoTmpfs))
	var env []string
	for _, s := range n.Env {
		env = append(env, s.Name+"="+s.Value)
	}
	fmt.Fprintf(w, "env:        %s\n", joinOrDash(env))
	for _, s := range n.Env {
		wrap(w, "  "+s.Name+": ", s.Why)
	}
	for _, e := range n.Entries {
		fmt.Fprintf(w, "\nentry %q (verdict %s, confidence %s)\n", e.Name, e.Verdict, orDash(e.Confidence))
		fmt.Fprintf(w, "  match:      %s\n", strings.Join(e.Match, " "))
		if len(e.Traits) > 0 {
			fmt.Fprintf(w, "  traits:     %s\n", strings.Join(e.Traits, " "))
		}
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
