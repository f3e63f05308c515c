package compose

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/directive"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// This file judges a compose file together with the files compose merges
// it with, the way "docker compose" loads them without -f:
//
//   - the base: the first of baseNames in a directory, and the override:
//     the first of overrideNames there. A service both hold is hardened
//     where it is defined: in the file holding its image:, build: or
//     extends: (the base when both do), judged on the merged service: an
//     override's read_only, image, user, environment and mounts count, and
//     its read_only: false wins as it does in compose's merge (the base
//     then gets neither read_only nor its tmpfs). The other file adds
//     nothing to that service but :ro on its own bind mounts, and reports
//     the explicit choices it carries.
//   - other compose.*.y(a)ml and docker-compose.*.y(a)ml files beside the
//     base (and override names compose does not pick) are read as
//     "docker compose -f base -f file": a service the base holds and the
//     file does not define (no image:, build: or extends: of its own) is a
//     refinement of the base's service and gets nothing of its own.
//   - extends: {file: F, service: S} inherits F's service as compose does
//     (local values win, lists add up). When F has a compose name it is
//     hardened on its own, so it is read as rofix will leave it; any other
//     F is read as it is and what it lacks is added locally.
//   - include: loads each included file as a project of its own, with no
//     merge into the including file: each is judged alone (include.go).
//
// A service with neither image:, build: nor extends: anywhere rofix can
// see runs only merged with a file named by "docker compose -f", which no
// file says: it is left alone (see fragment).
//
// Every file of a set is read through policy.Policy.ReadFile: the engines
// never open files themselves.

// baseNames and overrideNames return compose's own default file names, in
// the order it prefers them (compose-go's cli.DefaultFileNames and
// DefaultOverrideFileNames).
func baseNames() []string {
	return []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}
}

func overrideNames() []string {
	return []string{"compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml"}
}

// maxSetDepth bounds how far planning one file plans others (the file an
// extends: names, which may extend in turn).
const maxSetDepth = 2

// A layer is another file's service that compose merges with the one
// being planned.
type layer struct {
	file   string     // the file's name, relative to the planned file's directory
	key, m *yaml.Node // the service's key and mapping there
	// ignore is the rofix:ignore directive on the service there.
	ignore    directive.Ignore
	hasIgnore bool
	// defines tells whether that file defines the service (image:,
	// build: or extends:).
	defines bool
	// always is set when compose always merges the two (base and default
	// override, documents of a file); a file beside the base may also be
	// used alone, so its services that define themselves stand alone.
	always bool
	// bases are the mappings m inherits in its own file: merge keys and
	// same-file extends, nearest first.
	bases []*yaml.Node
}

// set is what planning one file knows of the others compose merges it
// with.
type set struct {
	// earlier are the services of the files (or documents of this file)
	// compose merges before this document, in merge order, by name; later
	// those merged after it (the override, for the base).
	earlier, later []map[string]layer
}

// isSiblingName reports compose.NAME.y(a)ml and docker-compose.NAME.y(a)ml.
func isSiblingName(base string) bool {
	stem, ok := strings.CutSuffix(base, ".yaml")
	if !ok {
		stem, ok = strings.CutSuffix(base, ".yml")
	}
	if !ok {
		return false
	}
	for _, prefix := range []string{"compose.", "docker-compose."} {
		if rest, ok := strings.CutPrefix(stem, prefix); ok && rest != "" {
			return true
		}
	}
	return false
}

// loadSet finds the files compose merges with the file named name and
// reads their services. A file that cannot be read or is not compose is
// not part of the set.
func (p *planner) loadSet(name string) {
	if name == "" || p.pol.ReadFile == nil || p.depth >= maxSetDepth {
		return
	}
	own := path.Base(strings.ReplaceAll(name, `\`, "/"))
	first := func(names []string) (string, *source, *yaml.Node) {
		for _, n := range names {
			if n == own {
				return n, nil, nil
			}
			if s, services := p.readServices(n); services != nil {
				return n, s, services
			}
		}
		return "", nil, nil
	}
	switch {
	case slices.Contains(baseNames(), own):
		if b, _, _ := first(baseNames()); b != own {
			return // compose picks another base; this one is read alone
		}
		if o, s, services := first(overrideNames()); services != nil {
			p.set.later = append(p.set.later, p.layers(o, s, services, true))
		}
	case isSiblingName(own):
		b, s, services := first(baseNames())
		if services == nil {
			return
		}
		o, _, _ := first(overrideNames())
		p.set.earlier = append(p.set.earlier, p.layers(b, s, services, o == own))
	}
}

// readServices reads the services mapping of another file of the set, or
// nil. Its nodes are marked foreign: findings about them are reported on
// the service being planned (see report).
func (p *planner) readServices(name string) (*source, *yaml.Node) {
	src, err := p.pol.ReadFile(name)
	if err != nil {
		return nil, nil
	}
	return p.servicesOf(name, src)
}

// servicesOf parses another file's content and returns it with its
// services mapping, or nils. The parse is shared through pol.Cache with
// the run's other files that read the same content: it is only read.
func (p *planner) servicesOf(name string, src []byte) (*source, *yaml.Node) {
	m := p.pol.Cache.Get("compose set member", src, func() any { return readSetMember(src) }).(setMember)
	if m.services == nil {
		return nil, nil
	}
	p.markForeign(m.doc, name, 0)
	return m.s, m.services
}

// A setMember is another compose file as a set reads it: its source, the
// document holding its services mapping and that mapping; all nil when
// it is not part of a set.
type setMember struct {
	s             *source
	doc, services *yaml.Node
}

// readSetMember parses src as a member of a set.
func readSetMember(src []byte) setMember {
	s, err := parse(src)
	if err != nil {
		return setMember{}
	}
	// What compose refuses (an alias bomb among it) is no part of a set.
	if s.CheckAliasExpansion("") != nil || s.checkDecodable() != nil || s.checkAliasPaths() != nil || s.checkAliasRatio() != nil {
		return setMember{}
	}
	for _, d := range s.Docs {
		if _, services := lookup(yamledit.DocRoot(d), "services"); services != nil && services.Kind == yaml.MappingNode {
			return setMember{s, d, services}
		}
	}
	return setMember{}
}

// markForeign records every node of another file's document n.
func (p *planner) markForeign(n *yaml.Node, file string, depth int) {
	if n == nil || depth > maxDepth || p.foreign[n] != "" {
		return
	}
	p.foreign[n] = file
	for _, c := range n.Content {
		p.markForeign(c, file, depth+1)
	}
}

// documentLayers reads the services of document n (from 1) of this file,
// when it has several documents.
func (p *planner) documentLayers(n int, services *yaml.Node) map[string]layer {
	if len(p.s.Docs) < 2 || services.Kind != yaml.MappingNode {
		return nil
	}
	return p.layers(fmt.Sprintf("document %d of this file", n), p.s, services, true)
}

// layers reads the services of a services mapping of file, whose source
// is s; always tells whether compose always merges that file with this
// one.
func (p *planner) layers(file string, s *source, services *yaml.Node, always bool) map[string]layer {
	out := map[string]layer{}
	for i := 0; i+1 < len(services.Content); i += 2 {
		k, v := services.Content[i], services.Content[i+1]
		if v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		if k.Kind != yaml.ScalarNode || isMergeKey(k) || v == nil || v.Kind != yaml.MappingNode {
			continue
		}
		bases := append(mergeSources(v, 0), extendsChain(services, v)...)
		l := layer{file: file, key: k, m: v, bases: bases, defines: defines(v, bases), always: always}
		l.ignore, l.hasIgnore = s.serviceDirective(k)
		out[k.Value] = l
	}
	return out
}

// defines reports whether mapping m (with the mappings it inherits in its
// own file) says what the service runs: image:, build: or extends:.
func defines(m *yaml.Node, bases []*yaml.Node) bool {
	for _, n := range append([]*yaml.Node{m}, bases...) {
		for _, key := range []string{"image", "build", "extends"} {
			if k, v := lookup(n, key); k != nil && !dropped(v) {
				return true
			}
		}
	}
	return false
}
