package compose

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
)

// Before it decodes a document, compose walks it to find !reset and
// !override (compose-go's loader, ResetProcessor) and, on the way, refuses
// an alias whose target an earlier alias reached at a path inside or
// around this one, in the same service and with no merge key on either
// path: "cycle detected", although YAML itself decodes such a file
// ("<<: *a" then "x: *a" in one service). rofix refuses what compose
// refuses, so it walks the same way: paths are dot-joined keys and
// indexes (a dot inside a key is escaped), the first ".<<" of a path is
// dropped, nothing under !reset or !override is walked, and a collection
// is walked once, at the first path that reaches it.

// maxPathVisits bounds the walk as compose bounds it (its node visit
// limit, which checkAliasExpansion enforces with its own message).
const maxPathVisits = 100_000

// aliasPathWalk is the state of that walk over one document.
type aliasPathWalk struct {
	s *source
	// visited holds, per alias target, the paths of the aliases to it,
	// grouped by the service they are in ("" for a path in no service):
	// two paths in different services are never a cycle, so an alias is
	// compared with its own service's paths and the others only, not with
	// every service that merges a shared anchor.
	visited  map[*yaml.Node]map[string][]string
	resolved map[*yaml.Node]bool
	visits   int
}

// checkAliasPaths refuses a document compose refuses with "cycle detected".
func (s *source) checkAliasPaths() error {
	for _, d := range s.Docs {
		if d.Kind != yaml.DocumentNode || len(d.Content) == 0 {
			continue
		}
		w := &aliasPathWalk{s: s, visited: map[*yaml.Node]map[string][]string{}, resolved: map[*yaml.Node]bool{}}
		if err := w.node(d.Content[0], ""); err != nil {
			return err
		}
	}
	return nil
}

func (w *aliasPathWalk) node(n *yaml.Node, path string) error {
	if w.visits++; w.visits > maxPathVisits {
		return nil
	}
	if strings.Contains(path, ".<<") {
		path = strings.Replace(path, ".<<", "", 1)
	}
	if n.Tag == "!reset" || n.Tag == "!override" {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		if err := w.cycle(n, path); err != nil {
			return err
		}
		if t := n.Alias; t.Tag != "!reset" && t.Tag != "!override" {
			return w.collection(t, path)
		}
		return nil
	}
	return w.collection(n, path)
}

// collection walks a sequence's items and a mapping's values, once.
func (w *aliasPathWalk) collection(n *yaml.Node, path string) error {
	if n.Kind != yaml.SequenceNode && n.Kind != yaml.MappingNode || w.resolved[n] {
		return nil
	}
	step := 1
	if n.Kind == yaml.MappingNode {
		step = 2
	}
	for i := step - 1; i < len(n.Content); i += step {
		part := strconv.Itoa(i)
		if step == 2 {
			part = n.Content[i-1].Value
		}
		if err := w.node(n.Content[i], nextPath(path, part)); err != nil {
			return err
		}
	}
	w.resolved[n] = true
	return nil
}

// cycle records the path of an alias to its target, refusing it when an
// earlier alias to the same target sits on a path inside or around it.
func (w *aliasPathWalk) cycle(alias *yaml.Node, path string) error {
	byService := w.visited[alias.Alias]
	if byService == nil {
		byService = map[string][]string{}
		w.visited[alias.Alias] = byService
	}
	svc := serviceOf(path)
	check := func(paths []string) error {
		for _, prev := range paths {
			if prev == path || strings.Contains(prev, "<<") || strings.Contains(path, "<<") {
				continue
			}
			if strings.HasPrefix(path, prev+".") || strings.HasPrefix(prev, path+".") {
				return finding.Errorf(w.s.Pos(alias.Line, alias.Column),
					"alias *%s at %s reaches the node it also reaches at %s: compose refuses this file (cycle detected)", alias.Value, path, prev)
			}
		}
		return nil
	}
	if svc == "" {
		for _, paths := range byService { // a path in no service may enclose any
			if err := check(paths); err != nil {
				return err
			}
		}
	} else {
		if err := check(byService[svc]); err != nil {
			return err
		}
		if err := check(byService[""]); err != nil {
			return err
		}
	}
	byService[svc] = append(byService[svc], path)
	return nil
}

// nextPath appends a key or index to a path, escaping its dots as compose
// does (the first part is taken as it is).
func nextPath(path, part string) string {
	if path == "" {
		return part
	}
	return path + "." + strings.ReplaceAll(part, ".", "👻")
}

// serviceOf returns the service a path is in, or "": the part after the
// first "services" part that has one after it. Two paths whose services
// differ are in different services for compose (areInDifferentServices)
// when their "services" parts stand at the same place, which holds for
// every path that can be a prefix of the other.
func serviceOf(path string) string {
	parts := strings.Split(path, ".")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "services" {
			return parts[i+1]
		}
	}
	return ""
}
