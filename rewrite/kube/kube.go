// Package kube hardens Kubernetes manifests with minimal byte edits: every
// container and init container of a Pod, Deployment, StatefulSet,
// DaemonSet, ReplicaSet, ReplicationController, Job, CronJob or PodTemplate
// (also inside a kind: List) gets securityContext.readOnlyRootFilesystem:
// true and allowPrivilegeEscalation: false, an emptyDir volume mounted on
// each scratch path the policy names (/tmp at least) unless something is
// mounted there, and readOnly: true on the hostPath mounts the ro-mounts
// policy picks.
//
// Choices:
//   - what the image needs is policy.Apply's decision, as for compose:
//     readOnlyRootFilesystem is withheld (with the reason) when the image
//     does not run read-only, a required env setting is missing, or a
//     state path has neither a volumeMount nor an image VOLUME;
//   - explicit readOnlyRootFilesystem: false, allowPrivilegeEscalation:
//     true and readOnly: false are kept and reported;
//   - a privileged container (or one with a Windows image) is left
//     entirely alone and reported, as policy.Judge decides for every
//     engine; one adding SYS_ADMIN gets no allowPrivilegeEscalation: false
//     (the API rejects it there);
//   - the emptyDir is named after the path ("tmp"), prefixed with the
//     container's name when several containers of the pod need one, so
//     containers never share a scratch directory;
//   - with the opt-in rules cap-drop and non-root on, the container's
//     securityContext also gets capabilities {drop: [ALL], add} and
//     runAsUser, runAsGroup, runAsNonRoot: true (privileges.go);
//   - Helm templates ({{ }}) and Kustomize patches (a container without an
//     image, $patch) are left alone with a finding.
//
// Editing and verification are rewrite/yamledit's: the output re-parses to
// the original tree plus exactly the planned changes.
package kube

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// ErrNotKube is returned for YAML without a document holding apiVersion and
// kind.
var ErrNotKube = errors.New("not a Kubernetes manifest: no document with apiVersion and kind")

// LooksLike reports whether content may be a Kubernetes manifest: lines
// start with the keys apiVersion and kind (in a block mapping or a list
// item, or a flow mapping's first key). Plan decides for sure.
func LooksLike(src []byte) bool {
	apiVersion, kind := manifestKeys()
	return apiVersion.Match(src) && kind.Match(src)
}

// manifestKeys match the keys apiVersion and kind; compiled on first use.
var manifestKeys = sync.OnceValues(func() (*regexp.Regexp, *regexp.Regexp) {
	return manifestKey("apiVersion"), manifestKey("kind")
})

// manifestKey matches key at the start of a line, after indentation, a
// list dash or a flow mapping's brace, with optional quotes.
func manifestKey(key string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^[ \t]*(?:-[ \t]+|\{[ \t]*)?["']?` + key + `["']?[ \t]*:`)
}

// podSpecPaths are, per kind, the keys leading from the object to its pod
// spec.
var podSpecPaths = map[string][]string{
	"Pod":                   {"spec"},
	"Deployment":            {"spec", "template", "spec"},
	"StatefulSet":           {"spec", "template", "spec"},
	"DaemonSet":             {"spec", "template", "spec"},
	"ReplicaSet":            {"spec", "template", "spec"},
	"ReplicationController": {"spec", "template", "spec"},
	"Job":                   {"spec", "template", "spec"},
	"PodTemplate":           {"template", "spec"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template", "spec"},
}

// planner holds the state of planning one file.
type planner struct {
	s    *yamledit.Source
	pol  policy.Policy
	plan *finding.Plan
	ch   *yamledit.Changes
}

// Plan returns the edits and findings that harden every workload of a
// manifest file.
func Plan(src []byte, pol policy.Policy) (*finding.Plan, error) {
	plan := &finding.Plan{}
	helm := func(i int) (*finding.Plan, error) {
		plan.Add(finding.Unsupported, i, i+2, false, "a Helm template ({{ }}), not a manifest: left unchanged; harden the chart's values or its rendered output")
		return plan, nil
	}
	if i := helmAction(src); i >= 0 {
		return helm(i)
	}
	s, err := yamledit.Parse(src)
	if err != nil {
		if i := bytes.Index(src, []byte("{{")); i >= 0 {
			return helm(i)
		}
		return nil, err
	}
	if err := s.CheckAliasExpansion("; refused"); err != nil {
		return nil, err
	}
	found := false
	for _, d := range s.Docs {
		if top := yamledit.DocRoot(d); isObject(top) {
			found = true
		}
	}
	if !found {
		return nil, ErrNotKube
	}
	if err := s.CheckDuplicates(); err != nil {
		return nil, err
	}
	if off, ok := s.IgnoreFileDirective(); ok {
		plan.Add(finding.Directive, off, off, false, "rofix:ignore-file: file skipped")
		return plan, nil
	}
	p := &planner{s: s, pol: pol, plan: plan, ch: yamledit.NewChanges(s)}
	for _, d := range s.Docs {
		if top := yamledit.DocRoot(d); isObject(top) {
			p.object(top, 0)
		}
	}
	if err := p.ch.Flush(); err != nil {
		return nil, err
	}
	plan.Edits = p.ch.Edits()
	if len(plan.Edits) > 0 {
		plan.Verify = p.ch.Verify
	}
	return plan, nil
}

// helmAction returns the offset of the first {{ }} action that only a Helm
// chart holds (.Values, .Release, include, if, range, whitespace trimming),
// or -1. Other {{ }} text, such as Prometheus alert templates in a
// ConfigMap, is data.
func helmAction(src []byte) int {
	for off := 0; ; {
		i := bytes.Index(src[off:], []byte("{{"))
		if i < 0 {
			return -1
		}
		start := off + i
		j := bytes.Index(src[start:], []byte("}}"))
		if j < 0 {
			return -1
		}
		action := string(src[start : start+j+2])
		for _, w := range []string{"{{-", "-}}", ".Values", ".Release", ".Chart", ".Capabilities", ".Files", "include ", "template ", "toYaml", "{{ if ", "{{if ", "{{ end", "{{end", "{{ range ", "{{ with ", "{{ define "} {
			if strings.Contains(action, w) {
				return start
			}
		}
		off = start + 2
	}
}

// isObject reports whether n is a mapping with apiVersion and kind.
func isObject(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	k1, _ := yamledit.Lookup(n, "apiVersion")
	k2, _ := yamledit.Lookup(n, "kind")
	return k1 != nil && k2 != nil
}

// object hardens one Kubernetes object: a workload, or the items of a list.
func (p *planner) object(obj *yaml.Node, depth int) {
	kk, kind := yamledit.Lookup(obj, "kind")
	if kind == nil || kind.Kind != yaml.ScalarNode || depth > 10 {
		return
	}
	if ig, ok := p.s.Directive(kk); ok && (ig.All || ig.File) {
		p.at(finding.Directive, kk, "%s skipped by rofix:ignore", kind.Value)
		return
	}
	if strings.HasSuffix(kind.Value, "List") {
		if _, items := yamledit.Lookup(obj, "items"); items != nil && items.Kind == yaml.SequenceNode {
			for _, it := range items.Content {
				if isObject(it) {
					p.object(it, depth+1)
				}
			}
		}
		return
	}
	path, ok := podSpecPaths[kind.Value]
	if !ok {
		return
	}
	spec := obj
	for _, key := range path {
		_, spec = yamledit.Lookup(spec, key)
		if spec == nil {
			return
		}
	}
	if spec.Kind == yaml.AliasNode {
		p.at(finding.Unsupported, spec, "the pod spec of this %s is an alias; harden the anchored mapping by hand", kind.Value)
		return
	}
	if spec.Kind != yaml.MappingNode {
		return
	}
	if why := patchLike(spec); why != "" {
		p.at(finding.Unsupported, kk, "this %s looks like a Kustomize patch (%s): left unchanged; harden the base it patches", kind.Value, why)
		return
	}
	if n := goTemplate(spec); n != nil {
		p.at(finding.Unsupported, n, "a template ({{ }}) in this %s's pod spec, not a manifest: left unchanged; harden what renders it, or its rendered output", kind.Value)
		return
	}
	p.pod(spec, kind.Value)
}

// goTemplate returns the first node of a pod spec that shows it is a Go
// template rather than a manifest, or nil: an unquoted action ({{ .Name }}
// reads as a flow mapping whose first key is one), or an action in a name or
// image, which rofix would otherwise echo in its findings or copy into the
// names of volumes it adds. Actions inside other strings (a --format={{.ID}}
// argument, an alert template) are data.
func goTemplate(spec *yaml.Node) *yaml.Node {
	var walk func(n *yaml.Node, depth int) *yaml.Node
	walk = func(n *yaml.Node, depth int) *yaml.Node {
		if n == nil || depth > 100 {
			return nil
		}
		if n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle != 0 && len(n.Content) > 0 &&
			n.Content[0].Kind == yaml.MappingNode && n.Content[0].Style&yaml.FlowStyle != 0 {
			return n
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if (k.Value == "name" || k.Value == "image") && v.Kind == yaml.ScalarNode && strings.Contains(v.Value, "{{") {
					return v
				}
			}
		}
		for _, c := range n.Content {
			if t := walk(c, depth+1); t != nil {
				return t
			}
		}
		return nil
	}
	return walk(spec, 0)
}

// patchLike tells why a pod spec looks like a Kustomize patch rather than
// a whole object: a container without an image, or a $patch directive.
func patchLike(spec *yaml.Node) string {
	var hasPatch func(n *yaml.Node, depth int) bool
	hasPatch = func(n *yaml.Node, depth int) bool {
		if depth > 100 {
			return false
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i < len(n.Content); i += 2 {
				if strings.HasPrefix(n.Content[i].Value, "$patch") || strings.HasPrefix(n.Content[i].Value, "$setElementOrder") {
					return true
				}
			}
		}
		for _, c := range n.Content {
			if hasPatch(c, depth+1) {
				return true
			}
		}
		return false
	}
	if hasPatch(spec, 0) {
		return "a $patch directive"
	}
	for _, key := range []string{"containers", "initContainers"} {
		_, list := yamledit.Lookup(spec, key)
		if list == nil || list.Kind != yaml.SequenceNode {
			continue
		}
		for _, c := range list.Content {
			if _, img := yamledit.Lookup(c, "image"); c.Kind == yaml.MappingNode && img == nil {
				return "a container without an image"
			}
		}
	}
	return ""
}

// at adds an unfixed finding at node n.
func (p *planner) at(rule finding.Rule, n *yaml.Node, format string, args ...any) {
	start, end := p.s.Span(n)
	p.plan.Add(rule, start, end, false, format, args...)
}

// fixed adds a fixed finding at node n.
func (p *planner) fixed(rule finding.Rule, n *yaml.Node, format string, args ...any) {
	start, end := p.s.Span(n)
	p.plan.Add(rule, start, end, true, format, args...)
}
