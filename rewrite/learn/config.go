package learn

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/policy"
)

// Learned is what learn records for one image, or for one compose
// service.
type Learned struct {
	// Image is the normalised image name, the entry's match pattern.
	Image string
	// Service is the compose service the entry is for: set, the entry goes
	// under services:, not images:.
	Service string
	// Tmpfs are "PATH[:OPTIONS]" entries.
	Tmpfs []string
	// Volumes are the state paths.
	Volumes []string
	// ImageVolumes are the state paths the image declares as VOLUME (a
	// subset of Volumes): rofix then knows they stay writable read-only.
	ImageVolumes []string
	// NoTmpfs are directories the image ships files in that the container
	// writes: never a tmpfs (it would hide the files).
	NoTmpfs []string
	// Verdict is "no" when the root must stay writable (Conditions says
	// why), else "".
	Verdict, Conditions string
	// Caps are the capabilities a service needs back after dropping ALL
	// (nil: not learned; empty: none), RunAs the non-root "UID:GID" it
	// was proven to run as, NeedsRoot why it must start as root. Only
	// rofix try learns them, for entries under services:.
	Caps      []string
	RunAs     string
	NeedsRoot string
	// Sources say which runs this comes from.
	Sources []string

	withheld []string // the reasons for verdict no, gathered by add
}

// Record returns src, a .rofix.yaml config file (empty when absent), with
// l recorded in its images list by minimal byte edits: a new entry, or the
// missing paths added to the entry whose match names the image. Comments and
// everything else are kept. action says what happened: "added", "updated" or
// "unchanged" (then out is src). The result is re-parsed and checked.
func Record(src []byte, l Learned) (out []byte, action string, err error) {
	if l.Service != "" {
		return recordService(src, l)
	}
	out, action, err = record(src, l)
	if err != nil || action == "unchanged" {
		return src, action, err
	}
	if err := verify(src, out, l); err != nil {
		return src, "", fmt.Errorf("internal error: the edited config does not hold what was learned: %v", err)
	}
	return out, action, nil
}

// edit is one replacement of src[start:end].
type edit struct {
	start, end int
	text       string
}

// apply applies non-overlapping edits to src.
func apply(src []byte, edits []edit) []byte {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var b bytes.Buffer
	last := 0
	for _, e := range edits {
		b.Write(src[last:e.start])
		b.WriteString(e.text)
		last = e.end
	}
	b.Write(src[last:])
	return b.Bytes()
}

// configHeader opens a config file learn creates.
const configHeader = "# rofix configuration (https://github.com/rofix/rofix). Image entries\n" +
	"# extend or override rofix's built-in knowledge; \"rofix learn\" records here.\n"

func record(src []byte, l Learned) ([]byte, string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, "", err
	}
	t := newText(src)
	if doc.Kind == 0 || len(doc.Content) == 0 {
		// Empty, or only comments: append.
		prefix := ""
		if len(bytes.TrimSpace(src)) == 0 {
			src, prefix = nil, configHeader
		} else if !bytes.HasSuffix(src, []byte("\n")) {
			prefix = "\n"
		}
		return apply(src, []edit{{len(src), len(src), prefix + "images:\n" + renderEntry(l, 2, 4)}}), "added", nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, "", fmt.Errorf("line %d: the config file is not a mapping", root.Line)
	}
	key, seq := mappingValue(root, "images")
	if key == nil {
		prefix := ""
		if !bytes.HasSuffix(src, []byte("\n")) {
			prefix = "\n"
		}
		return apply(src, []edit{{len(src), len(src), prefix + "images:\n" + renderEntry(l, 2, 4)}}), "added", nil
	}
	switch {
	case seq.Kind == yaml.ScalarNode && seq.Tag == "!!null":
		// "images:" with no value (or ~, null): the list goes after the key.
		return fillNull(t, key, seq, renderEntry(l, 2, 4)), "added", nil
	case seq.Kind != yaml.SequenceNode:
		return nil, "", fmt.Errorf("line %d: images: want a list of image entries", seq.Line)
	case seq.Style&yaml.FlowStyle != 0:
		if len(seq.Content) > 0 {
			return nil, "", fmt.Errorf("line %d: images is a flow list ([...]); learn edits the block form (- name: ...) only", seq.Line)
		}
		out, err := fillEmptyFlow(t, seq, renderEntry(l, 2, 4))
		return out, "added", err
	}
	for _, item := range seq.Content {
		if item.Kind != yaml.MappingNode {
			return nil, "", fmt.Errorf("line %d: images: want a mapping per entry", item.Line)
		}
		_, match := mappingValue(item, "match")
		if match == nil {
			continue
		}
		for _, m := range match.Content {
			if m.Value == l.Image {
				return merge(t, item, l)
			}
		}
	}
	// A new entry after the last one, indented like the first.
	first := seq.Content[0]
	line := src[t.lineStart(first.Line):t.offset(first)]
	dash := bytes.LastIndexByte(line, '-')
	if dash < 0 {
		return nil, "", fmt.Errorf("line %d: images: cannot find the list's dash", first.Line)
	}
	at := sequenceEnd(t, root, key)
	return apply(src, []edit{{at, at, nlIfMissing(src, at) + renderEntry(l, dash, len(line))}}), "added", nil
}

// fillNull returns the text with the null value v of key ("key:", "key:
// ~", "key: null") given block, the lines of an entry, after the key's line
// (a "~" or "null" written after the key goes; a comment stays).
func fillNull(t *text, key, v *yaml.Node, block string) []byte {
	at := t.lineEnd(key.Line)
	add := edit{at, at, nlIfMissing(t.src, at) + block}
	start := t.offset(v)
	end, err := t.scalarEnd(start, false)
	if err != nil || v.Line != key.Line || v.Value == "" {
		return apply(t.src, []edit{add})
	}
	for start > 0 && (t.src[start-1] == ' ' || t.src[start-1] == '\t') {
		start--
	}
	return apply(t.src, []edit{{start, end, ""}, add})
}

// fillEmptyFlow returns the text with the empty flow collection v ("[]",
// "{}") removed and block, the lines of an entry, on the lines after it (a
// comment after the brackets stays on the key's line).
func fillEmptyFlow(t *text, v *yaml.Node, block string) ([]byte, error) {
	start := t.offset(v)
	end, err := t.flowEnd(start)
	if err != nil {
		return nil, fmt.Errorf("line %d: %v", v.Line, err)
	}
	for start > 0 && (t.src[start-1] == ' ' || t.src[start-1] == '\t') {
		start--
	}
	at := t.lineEnd(v.Line)
	return apply(t.src, []edit{{start, end + 1, ""}, {at, at, nlIfMissing(t.src, at) + block}}), nil
}

// nlIfMissing returns "\n" when the text before at does not end a line.
func nlIfMissing(src []byte, at int) string {
	if at > 0 && src[at-1] != '\n' {
		return "\n"
	}
	return ""
}

// sequenceEnd returns the offset where an entry appended to the value of
// key (a block list in root) goes: the start of the line of the next
// top-level key, before the blank and comment lines that precede it, or the
// end of the file.
func sequenceEnd(t *text, root, key *yaml.Node) int {
	next := len(t.lines) + 1
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i] == key && i+2 < len(root.Content) {
			next = root.Content[i+2].Line
		}
	}
	line := next
	for line-1 > key.Line {
		s := strings.TrimSpace(string(t.src[t.lineStart(line-1):t.lineEnd(line-1)]))
		if s != "" && !strings.HasPrefix(s, "#") {
			break
		}
		line--
	}
	return t.lineStart(line)
}

// renderEntry renders a new image entry as a block list item: the dash at
// column dash, the keys at column indent.
func renderEntry(l Learned, dash, indent int) string {
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", dash) + "-" + strings.Repeat(" ", indent-dash-1))
	fmt.Fprintf(&b, "name: %s\n", quote(l.Image))
	fmt.Fprintf(&b, "%smatch: %s\n", pad, flowList([]string{l.Image}))
	if len(l.Tmpfs) > 0 {
		fmt.Fprintf(&b, "%stmpfs: %s\n", pad, flowList(l.Tmpfs))
	}
	if len(l.Volumes) > 0 {
		fmt.Fprintf(&b, "%svolumes: %s\n", pad, flowList(l.Volumes))
	}
	if len(l.ImageVolumes) > 0 {
		fmt.Fprintf(&b, "%simage_volumes: %s\n", pad, flowList(l.ImageVolumes))
	}
	if len(l.NoTmpfs) > 0 {
		fmt.Fprintf(&b, "%sno_tmpfs: %s\n", pad, flowList(l.NoTmpfs))
	}
	verdict := l.Verdict
	if verdict == "" {
		verdict = "yes"
	}
	fmt.Fprintf(&b, "%sverdict: %s\n", pad, verdict)
	if l.Conditions != "" {
		fmt.Fprintf(&b, "%sconditions: %s\n", pad, quote(l.Conditions))
	}
	fmt.Fprintf(&b, "%sconfidence: learned\n", pad)
	fmt.Fprintf(&b, "%ssources: %s\n", pad, flowList(l.Sources))
	return b.String()
}

// tmpfsPath returns the path of a "PATH[:OPTIONS]" entry.
func tmpfsPath(s string) string {
	p, _, _ := strings.Cut(s, ":")
	return p
}

// mergeOptions returns the existing options with the learned ones set
// (a learned key replaces the same key).
func mergeOptions(existing, learned string) string {
	_, eo, _ := strings.Cut(existing, ":")
	p, lo, _ := strings.Cut(learned, ":")
	var opts []string
	set := map[string]bool{}
	for _, o := range strings.Split(lo, ",") {
		if o != "" {
			k, _, _ := strings.Cut(o, "=")
			set[k] = true
		}
	}
	for _, o := range strings.Split(eo, ",") {
		k, _, _ := strings.Cut(o, "=")
		if o != "" && !set[k] {
			opts = append(opts, o)
		}
	}
	for _, o := range strings.Split(lo, ",") {
		if o != "" {
			opts = append(opts, o)
		}
	}
	if len(opts) == 0 {
		return p
	}
	return p + ":" + strings.Join(opts, ",")
}

// hasOptions reports whether the "PATH[:OPTIONS]" entry existing holds
// every option of learned.
func hasOptions(existing, learned string) bool {
	_, eo, _ := strings.Cut(existing, ":")
	_, lo, _ := strings.Cut(learned, ":")
	have := strings.Split(eo, ",")
	for _, o := range strings.Split(lo, ",") {
		if o != "" && !slices.Contains(have, o) {
			return false
		}
	}
	return true
}

// merge adds what l has and the entry lacks: tmpfs paths (or their learned
// options), volumes, and, when anything was added, l's sources.
func merge(t *text, item *yaml.Node, l Learned) ([]byte, string, error) {
	var edits []edit
	var added []string // new keys, rendered
	_, vols := mappingValue(item, "volumes")
	isVolume := map[string]bool{}
	if vols != nil {
		for _, v := range vols.Content {
			isVolume[v.Value] = true
		}
	}
	_, tmpfs := mappingValue(item, "tmpfs")
	_, notmpfs := mappingValue(item, "no_tmpfs")
	var newTmpfs []string
	for _, want := range l.Tmpfs {
		p := tmpfsPath(want)
		if isVolume[p] || notmpfs != nil && slices.ContainsFunc(notmpfs.Content, func(n *yaml.Node) bool { return n.Value == p }) {
			continue // declared as state or never a tmpfs by hand: kept
		}
		found := false
		if tmpfs != nil {
			for _, n := range tmpfs.Content {
				if tmpfsPath(n.Value) != p {
					continue
				}
				found = true
				if !hasOptions(n.Value, want) {
					merged := mergeOptions(n.Value, want)
					start := t.offset(n)
					end, err := t.scalarEnd(start, tmpfs.Style&yaml.FlowStyle != 0)
					if err != nil {
						return nil, "", fmt.Errorf("line %d: %v", n.Line, err)
					}
					edits = append(edits, edit{start, end, quote(merged)})
				}
			}
		}
		if !found {
			newTmpfs = append(newTmpfs, want)
		}
	}
	var newVols []string
	for _, v := range l.Volumes {
		if !isVolume[v] {
			newVols = append(newVols, v)
		}
	}
	_, ivols := mappingValue(item, "image_volumes")
	var newIVols []string
	for _, v := range l.ImageVolumes {
		if ivols == nil || !slices.ContainsFunc(ivols.Content, func(n *yaml.Node) bool { return n.Value == v }) {
			newIVols = append(newIVols, v)
		}
	}
	var newNoTmpfs []string
	for _, p := range l.NoTmpfs {
		inTmpfs := tmpfs != nil && slices.ContainsFunc(tmpfs.Content, func(n *yaml.Node) bool { return tmpfsPath(n.Value) == p })
		if inTmpfs {
			continue // a tmpfs the entry states is the user's choice: kept
		}
		if notmpfs == nil || !slices.ContainsFunc(notmpfs.Content, func(n *yaml.Node) bool { return n.Value == p }) {
			newNoTmpfs = append(newNoTmpfs, p)
		}
	}
	for _, list := range []struct {
		key   string
		node  *yaml.Node
		items []string
	}{{"tmpfs", tmpfs, newTmpfs}, {"volumes", vols, newVols}, {"image_volumes", ivols, newIVols}, {"no_tmpfs", notmpfs, newNoTmpfs}} {
		if len(list.items) == 0 {
			continue
		}
		if list.node == nil {
			added = append(added, fmt.Sprintf("%s: %s", list.key, flowList(list.items)))
			continue
		}
		e, err := appendItems(t, list.node, list.items)
		if err != nil {
			return nil, "", err
		}
		edits = append(edits, e)
	}
	// A verdict the entry states is the user's: kept. Otherwise a learned
	// "no" is added, with its reason.
	if _, v := mappingValue(item, "verdict"); v == nil && l.Verdict != "" {
		added = append(added, "verdict: "+l.Verdict)
		if _, c := mappingValue(item, "conditions"); c == nil && l.Conditions != "" {
			added = append(added, "conditions: "+quote(l.Conditions))
		}
	}
	// Privilege facts the entry states are the user's: kept. Those it
	// lacks are added.
	// run_as and needs_root are one fact: either kept keeps both out.
	userStated := false
	for _, key := range []string{"run_as", "needs_root"} {
		if k, _ := mappingValue(item, key); k != nil {
			userStated = true
		}
	}
	for _, kv := range privileges(l) {
		key, _, _ := strings.Cut(kv, ":")
		if k, _ := mappingValue(item, key); k == nil && !(userStated && key != "caps") {
			added = append(added, kv)
		}
	}
	if len(edits) == 0 && len(added) == 0 {
		return t.src, "unchanged", nil
	}
	// The sources of the update.
	_, srcs := mappingValue(item, "sources")
	var newSrcs []string
	for _, s := range l.Sources {
		if srcs == nil || !slices.ContainsFunc(srcs.Content, func(n *yaml.Node) bool { return n.Value == s }) {
			newSrcs = append(newSrcs, s)
		}
	}
	if len(newSrcs) > 0 {
		if srcs == nil {
			added = append(added, "sources: "+flowList(newSrcs))
		} else {
			e, err := appendItems(t, srcs, newSrcs)
			if err != nil {
				return nil, "", err
			}
			edits = append(edits, e)
		}
	}
	if len(added) > 0 {
		// New keys go on their own lines before the key after match (or
		// an image entry's second key, a service entry's first key), at
		// the entry's key indentation.
		before := item.Content[0]
		if l.Service == "" {
			if len(item.Content) < 4 {
				return nil, "", fmt.Errorf("line %d: image entry too short to extend (want name and match)", item.Line)
			}
			before = item.Content[2]
			for i := 0; i+3 < len(item.Content); i += 2 {
				if item.Content[i].Value == "match" {
					before = item.Content[i+2]
				}
			}
		}
		if item.Style&yaml.FlowStyle != 0 || l.Service == "" && before.Line == item.Line {
			return nil, "", fmt.Errorf("line %d: entry in flow form; learn edits block entries only", item.Line)
		}
		indent := strings.Repeat(" ", before.Column-1)
		at := t.lineStart(before.Line)
		var b strings.Builder
		for _, a := range added {
			b.WriteString(indent + a + "\n")
		}
		edits = append(edits, edit{at, at, b.String()})
	}
	return apply(t.src, edits), "updated", nil
}

// appendItems returns the edit that appends items to a list, flow or block.
func appendItems(t *text, list *yaml.Node, items []string) (edit, error) {
	if list.Kind != yaml.SequenceNode {
		return edit{}, fmt.Errorf("line %d: want a list", list.Line)
	}
	if list.Style&yaml.FlowStyle != 0 {
		end, err := t.flowEnd(t.offset(list))
		if err != nil {
			return edit{}, fmt.Errorf("line %d: %v", list.Line, err)
		}
		sep := ""
		if len(list.Content) > 0 {
			sep = ", "
		}
		q := make([]string, len(items))
		for i, it := range items {
			q[i] = quote(it)
		}
		// Insert right after the last item (or the bracket), so that a
		// trailing comment or line break before "]" stays where it is.
		at := t.offset(list) + 1
		if n := len(list.Content); n > 0 {
			last := list.Content[n-1]
			e, err := t.scalarEnd(t.offset(last), true)
			if err != nil {
				return edit{}, fmt.Errorf("line %d: %v", last.Line, err)
			}
			at = e
		}
		if at > end {
			at = end
		}
		return edit{at, at, sep + strings.Join(q, ", ")}, nil
	}
	last := list.Content[len(list.Content)-1]
	if last.Kind != yaml.ScalarNode || last.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return edit{}, fmt.Errorf("line %d: want a list of strings", last.Line)
	}
	line := t.src[t.lineStart(last.Line):t.offset(last)]
	var b strings.Builder
	for _, it := range items {
		b.Write(line)
		b.WriteString(quote(it) + "\n")
	}
	at := t.lineEnd(last.Line)
	return edit{at, at, nlIfMissing(t.src, at) + b.String()}, nil
}

// decodeEdit decodes a config file before and after an edit into b and a,
// and checks that its keys outside the edited section (bRest, aRest: their
// inline catch-alls) decode as before.
func decodeEdit(before, after []byte, b, a any, bRest, aRest *map[string]any) error {
	if err := yaml.Unmarshal(before, b); err != nil {
		return fmt.Errorf("before: %v", err)
	}
	if err := yaml.Unmarshal(after, a); err != nil {
		return fmt.Errorf("after: %v\n%s", err, after)
	}
	if !reflect.DeepEqual(*aRest, *bRest) {
		return fmt.Errorf("other keys changed")
	}
	return nil
}

// configDoc is the part of a config file learn checks after an edit.
type configDoc struct {
	Images []policy.ImageEntry `yaml:"images"`
	Rest   map[string]any      `yaml:",inline"`
}

// verify re-parses the edited config: the entry for l.Image holds every
// learned path, and everything else decodes as before.
func verify(before, after []byte, l Learned) error {
	var b, a configDoc
	if err := decodeEdit(before, after, &b, &a, &b.Rest, &a.Rest); err != nil {
		return err
	}
	var other []policy.ImageEntry
	var mine *policy.ImageEntry
	for i := range a.Images {
		if mine == nil && slices.Contains(a.Images[i].Match, l.Image) {
			mine = &a.Images[i]
			continue
		}
		other = append(other, a.Images[i])
	}
	if mine == nil {
		return fmt.Errorf("no entry matches %s", l.Image)
	}
	if err := mine.Check(); err != nil {
		return err
	}
	var otherBefore []policy.ImageEntry
	found := false
	for _, e := range b.Images {
		if !found && slices.Contains(e.Match, l.Image) {
			found = true
			continue
		}
		otherBefore = append(otherBefore, e)
	}
	if !reflect.DeepEqual(other, otherBefore) {
		return fmt.Errorf("other image entries changed")
	}
	for _, want := range l.Tmpfs {
		if slices.Contains(mine.Volumes, tmpfsPath(want)) {
			continue
		}
		ok := slices.ContainsFunc(mine.Tmpfs, func(s string) bool { return tmpfsPath(s) == tmpfsPath(want) && hasOptions(s, want) })
		if !ok {
			return fmt.Errorf("tmpfs %s missing from %v", want, mine.Tmpfs)
		}
	}
	for _, v := range l.Volumes {
		if !slices.Contains(mine.Volumes, v) {
			return fmt.Errorf("volume %s missing from %v", v, mine.Volumes)
		}
	}
	for _, v := range l.ImageVolumes {
		if !slices.Contains(mine.ImageVolumes, v) {
			return fmt.Errorf("image volume %s missing from %v", v, mine.ImageVolumes)
		}
	}
	return nil
}
