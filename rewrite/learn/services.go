package learn

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/policy"
)

// recordService is Record for an entry under services:, keyed by the
// compose service's name.
func recordService(src []byte, l Learned) ([]byte, string, error) {
	out, action, err := recordServiceText(src, l)
	if err != nil || action == "unchanged" {
		return src, action, err
	}
	if err := verifyService(src, out, l); err != nil {
		return src, "", fmt.Errorf("internal error: the edited config does not hold what was learned: %v", err)
	}
	return out, action, nil
}

func recordServiceText(src []byte, l Learned) ([]byte, string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, "", err
	}
	t := newText(src)
	appendSection := func() ([]byte, string, error) {
		prefix := ""
		if len(bytes.TrimSpace(src)) == 0 {
			src, prefix = nil, configHeader
		} else if !bytes.HasSuffix(src, []byte("\n")) {
			prefix = "\n"
		}
		return apply(src, []edit{{len(src), len(src), prefix + "services:\n" + renderService(l, 2)}}), "added", nil
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return appendSection()
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, "", fmt.Errorf("line %d: the config file is not a mapping", root.Line)
	}
	key, m := mappingValue(root, "services")
	switch {
	case key == nil:
		return appendSection()
	case m.Kind == yaml.ScalarNode && m.Tag == "!!null":
		return fillNull(t, key, m, renderService(l, 2)), "added", nil
	case m.Kind != yaml.MappingNode:
		return nil, "", fmt.Errorf("line %d: services: want a mapping of service names", m.Line)
	case m.Style&yaml.FlowStyle != 0:
		if len(m.Content) > 0 {
			return nil, "", fmt.Errorf("line %d: services is a flow mapping ({...}); learn edits the block form only", m.Line)
		}
		out, err := fillEmptyFlow(t, m, renderService(l, 2))
		return out, "added", err
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != l.Service {
			continue
		}
		item := m.Content[i+1]
		if item.Kind == yaml.ScalarNode && item.Tag == "!!null" {
			return nil, "", fmt.Errorf("line %d: services.%s is empty; give it a mapping or remove it", item.Line, l.Service)
		}
		if item.Kind != yaml.MappingNode || len(item.Content) == 0 {
			return nil, "", fmt.Errorf("line %d: services.%s: want a mapping in block form", item.Line, l.Service)
		}
		return merge(t, item, l)
	}
	at := sequenceEnd(t, root, key)
	return apply(src, []edit{{at, at, nlIfMissing(src, at) + renderService(l, m.Content[0].Column-1)}}), "added", nil
}

// renderService renders a new service entry with its name at column
// indent and its keys two columns deeper.
func renderService(l Learned, indent int) string {
	pad := strings.Repeat(" ", indent+2)
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s:\n", strings.Repeat(" ", indent), quote(l.Service))
	for _, list := range []struct {
		key   string
		items []string
	}{{"tmpfs", l.Tmpfs}, {"volumes", l.Volumes}, {"image_volumes", l.ImageVolumes}, {"no_tmpfs", l.NoTmpfs}} {
		if len(list.items) > 0 {
			fmt.Fprintf(&b, "%s%s: %s\n", pad, list.key, flowList(list.items))
		}
	}
	if l.Verdict != "" {
		fmt.Fprintf(&b, "%sverdict: %s\n", pad, l.Verdict)
		if l.Conditions != "" {
			fmt.Fprintf(&b, "%sconditions: %s\n", pad, quote(l.Conditions))
		}
	}
	for _, kv := range privileges(l) {
		fmt.Fprintf(&b, "%s%s\n", pad, kv)
	}
	fmt.Fprintf(&b, "%sconfidence: learned\n", pad)
	fmt.Fprintf(&b, "%ssources: %s\n", pad, flowList(l.Sources))
	return b.String()
}

// privileges renders the privilege facts of l as "key: value" lines, in
// the order a service entry holds them.
func privileges(l Learned) []string {
	var out []string
	if l.Caps != nil {
		out = append(out, "caps: "+flowList(l.Caps))
	}
	if l.RunAs != "" {
		out = append(out, "run_as: "+strconv.Quote(l.RunAs))
	}
	if l.NeedsRoot != "" {
		out = append(out, "needs_root: "+quote(l.NeedsRoot))
	}
	return out
}

// servicesDoc is the part of a config file checked after a service edit.
type servicesDoc struct {
	Services map[string]policy.ImageEntry `yaml:"services"`
	Rest     map[string]any               `yaml:",inline"`
}

// verifyService re-parses the edited config: the entry of l.Service holds
// every learned path, and everything else decodes as before.
func verifyService(before, after []byte, l Learned) error {
	var b, a servicesDoc
	if err := decodeEdit(before, after, &b, &a, &b.Rest, &a.Rest); err != nil {
		return err
	}
	mine, ok := a.Services[l.Service]
	if !ok {
		return fmt.Errorf("no entry for service %s", l.Service)
	}
	delete(a.Services, l.Service)
	delete(b.Services, l.Service)
	if len(a.Services)+len(b.Services) > 0 && !reflect.DeepEqual(a.Services, b.Services) {
		return fmt.Errorf("other service entries changed")
	}
	for _, want := range l.Tmpfs {
		if !slices.Contains(mine.Volumes, tmpfsPath(want)) && !slices.Contains(mine.NoTmpfs, tmpfsPath(want)) &&
			!slices.ContainsFunc(mine.Tmpfs, func(s string) bool { return tmpfsPath(s) == tmpfsPath(want) && hasOptions(s, want) }) {
			return fmt.Errorf("tmpfs %s missing from %v", want, mine.Tmpfs)
		}
	}
	for _, list := range []struct{ want, got []string }{{l.Volumes, mine.Volumes}, {l.ImageVolumes, mine.ImageVolumes}, {l.NoTmpfs, mine.NoTmpfs}} {
		for _, p := range list.want {
			inTmpfs := slices.ContainsFunc(mine.Tmpfs, func(s string) bool { return tmpfsPath(s) == p })
			if !slices.Contains(list.got, p) && !inTmpfs {
				return fmt.Errorf("%s missing from %v", p, list.got)
			}
		}
	}
	if l.Verdict != "" && mine.Verdict == "" {
		return fmt.Errorf("verdict %s missing", l.Verdict)
	}
	return verifyPrivileges(mine, l)
}

// verifyPrivileges checks that an entry holds the privilege facts of l,
// or its own (run_as and needs_root are one fact: either stands).
func verifyPrivileges(e policy.ImageEntry, l Learned) error {
	switch {
	case l.Caps != nil && e.Caps == nil:
		return fmt.Errorf("caps %v missing", l.Caps)
	case (l.RunAs != "" || l.NeedsRoot != "") && e.RunAs == "" && e.NeedsRoot == "":
		return fmt.Errorf("run_as %q / needs_root %q missing", l.RunAs, l.NeedsRoot)
	}
	return nil
}
