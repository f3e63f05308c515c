package compose

import (
	"path"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/edit"
)

// This file follows "extends: {file: ..., service: ...}" into the file it
// names, read through policy.Policy.ReadFile (see set.go).

// extendsFile adds to svc.extended the service an "extends: {file: F,
// service: S}" names, read through policy.Policy.ReadFile: as rofix
// leaves F when F has a compose name (it is hardened on its own), else as
// it is. It reports whether F was read.
func (p *planner) extendsFile(svc *service) bool {
	_, ext := lookup(svc.m, "extends")
	if ext == nil || ext.Kind != yaml.MappingNode || p.pol.ReadFile == nil || p.depth >= maxSetDepth {
		return false
	}
	_, f := lookup(ext, "file")
	_, s := lookup(ext, "service")
	if f == nil || s == nil || f.Kind != yaml.ScalarNode || s.Kind != yaml.ScalarNode || strings.Contains(f.Value, "$") {
		return false
	}
	l, ok := p.extendsLayers(path.Clean(f.Value))[s.Value]
	if !ok {
		return false
	}
	svc.extended = append(svc.extended, l.m)
	svc.extended = append(svc.extended, l.bases...)
	return true
}

// plannedFile returns the content of another compose file as rofix leaves
// it: its own plan applied. Errors leave it as it is.
func (p *planner) plannedFile(name string, src []byte) []byte {
	dir := path.Dir(name)
	pol := p.pol
	read := p.pol.ReadFile
	pol.ReadFile = func(rel string) ([]byte, error) { return read(path.Join(dir, rel)) }
	plan, err := planFile(name, src, pol, p.depth+1)
	if err != nil || len(plan.Edits) == 0 {
		return src
	}
	out, err := edit.Apply(src, plan.Edits)
	if err != nil || plan.Verify(out) != nil {
		return src
	}
	return out
}

// extendsLayers returns the services of the file named name, read once
// per planned file however many services extend it.
func (p *planner) extendsLayers(name string) map[string]layer {
	if ls, ok := p.extends[name]; ok {
		return ls
	}
	var ls map[string]layer
	if src, err := p.pol.ReadFile(name); err == nil {
		if base := path.Base(name); IsName(base) {
			src = p.plannedFile(name, src)
		}
		if fs, services := p.servicesOf(name, src); services != nil {
			ls = p.layers(name, fs, services, true)
		}
	}
	if p.extends == nil {
		p.extends = map[string]map[string]layer{}
	}
	p.extends[name] = ls
	return ls
}
