package policy

// This file reads the table's source form (rewrite/policy/images/*.yaml,
// and the images.yaml of golden cases): the schema of ImageEntry where
// every fact may carry its evidence, written beside it.
//
//	tmpfs:
//	  - /run/app                      # a fact without evidence
//	  - path: /run/postgresql         # a fact with its evidence
//	    evidence: ['docker-library/postgres@6edb0a8 17/trixie/Dockerfile#L177 "mkdir -p /var/run/postgresql"']
//
// ParseTable turns it into ImageEntry values whose Evidence map holds the
// evidence by fact key (FactKey); the built-in table is this, as JSON.

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ParseTable reads a list of image entries in the table's source form
// (unknown keys are errors) and checks each with ImageEntry.Check.
func ParseTable(data []byte) (*Knowledge, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var src []*tableEntry
	if err := dec.Decode(&src); err != nil {
		return nil, err
	}
	entries := make([]*ImageEntry, len(src))
	for i, s := range src {
		e, err := s.entry(true)
		if err == nil {
			err = e.Check()
		}
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i+1, err)
		}
		entries[i] = e
	}
	return &Knowledge{Entries: entries}, nil
}

// tableEntry is an ImageEntry as written in the table: its facts may be
// mappings with evidence. A tag range (Ranges) has the same form, with
// Versions instead of the entry's name, patterns and tag knowledge.
type tableEntry struct {
	Name            string            `yaml:"name"`
	Match           []string          `yaml:"match"`
	From            *fact             `yaml:"from"`
	Latest          string            `yaml:"latest"`
	Read            string            `yaml:"read"`
	Floating        map[string]string `yaml:"floating"`
	TagVersion      string            `yaml:"tag_version"`
	Versions        string            `yaml:"versions"`
	Ranges          []*tableEntry     `yaml:"ranges"`
	User            *fact             `yaml:"user"`
	Caps            []fact            `yaml:"caps"`
	RunAs           *fact             `yaml:"run_as"`
	NeedsRoot       *fact             `yaml:"needs_root"`
	Tmpfs           []fact            `yaml:"tmpfs"`
	Volumes         []fact            `yaml:"volumes"`
	ImageVolumes    []fact            `yaml:"image_volumes"`
	OptionalVolumes []string          `yaml:"optional_volumes"`
	NoTmpfs         []fact            `yaml:"no_tmpfs"`
	Env             []tableEnv        `yaml:"env"`
	Unset           []string          `yaml:"unset"`
	Verdict         *fact             `yaml:"verdict"`
	Checks          []tableCheck      `yaml:"checks"`
	Conditions      string            `yaml:"conditions"`
	Traits          []fact            `yaml:"traits"`
	Confidence      string            `yaml:"confidence"`
	Sources         []string          `yaml:"sources"`
}

// tableEnv is an EnvSetting with its evidence.
type tableEnv struct {
	EnvSetting `yaml:",inline"`
	Evidence   []string `yaml:"evidence"`
}

// tableCheck is a Check with its evidence.
type tableCheck struct {
	Check    `yaml:",inline"`
	Evidence []string `yaml:"evidence"`
}

// A fact is one value of the table (a path, a trait, a user, a verdict)
// with its evidence: written as the plain value, or as a mapping of the
// value (key path, trait or value) and evidence.
type fact struct {
	value    string
	evidence []string
}

// UnmarshalYAML reads a fact's two forms.
func (f *fact) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		f.value = n.Value
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: want a value or a mapping {path|trait|value: ..., evidence: [...]}", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "path", "trait", "value":
			if f.value != "" || v.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: one %s value per fact", k.Line, k.Value)
			}
			f.value = v.Value
		case "evidence":
			if err := v.Decode(&f.evidence); err != nil {
				return fmt.Errorf("line %d: evidence: %w", k.Line, err)
			}
		default:
			return fmt.Errorf("line %d: field %s not found in a fact (want path, trait or value, and evidence)", k.Line, k.Value)
		}
	}
	if f.value == "" {
		return fmt.Errorf("line %d: a fact without its value", n.Line)
	}
	return nil
}

// entry converts the source form; top is false for a tag range.
func (s *tableEntry) entry(top bool) (*ImageEntry, error) {
	e := &ImageEntry{
		Name: s.Name, Match: s.Match, Latest: s.Latest, Read: s.Read,
		Floating: s.Floating, TagVersion: s.TagVersion, Versions: s.Versions,
		OptionalVolumes: s.OptionalVolumes, Unset: s.Unset,
		Conditions: s.Conditions, Confidence: s.Confidence, Sources: s.Sources,
	}
	if top && s.Versions != "" {
		return nil, fmt.Errorf("%s: versions: belongs in an item of ranges:", s.Name)
	}
	if !top && (s.Name != "" || len(s.Match) > 0 || s.From != nil || s.Latest != "" || s.Read != "" || s.Floating != nil || s.TagVersion != "" || len(s.Ranges) > 0 || s.Confidence != "" || len(s.Sources) > 0) {
		return nil, fmt.Errorf("range %q: a range holds versions and facts only", s.Versions)
	}
	note := func(key string, ev []string) {
		if len(ev) > 0 {
			if e.Evidence == nil {
				e.Evidence = map[string][]string{}
			}
			e.Evidence[key] = append(e.Evidence[key], ev...)
		}
	}
	list := func(kind string, facts []fact) []string {
		var out []string
		for _, f := range facts {
			out = append(out, f.value)
			note(FactKey(kind, f.value), f.evidence)
		}
		return out
	}
	e.Tmpfs = list("tmpfs", s.Tmpfs)
	e.Volumes = list("volume", s.Volumes)
	e.ImageVolumes = list("image_volume", s.ImageVolumes)
	e.NoTmpfs = list("no_tmpfs", s.NoTmpfs)
	e.Traits = list("trait", s.Traits)
	if s.User != nil {
		e.User = s.User.value
		note(FactKey("user", ""), s.User.evidence)
	}
	if s.Caps != nil {
		e.Caps = make([]string, 0, len(s.Caps)) // caps: [] is "needs none"
		e.Caps = append(e.Caps, list("cap", s.Caps)...)
	}
	if s.RunAs != nil {
		e.RunAs = s.RunAs.value
		note(FactKey("run_as", ""), s.RunAs.evidence)
	}
	if s.NeedsRoot != nil {
		e.NeedsRoot = s.NeedsRoot.value
		note(FactKey("needs_root", ""), s.NeedsRoot.evidence)
	}
	if s.From != nil {
		e.From = s.From.value
		note(FactKey("from", ""), s.From.evidence)
	}
	if s.Verdict != nil {
		e.Verdict = Verdict(s.Verdict.value)
		note(FactKey("verdict", ""), s.Verdict.evidence)
	}
	for _, v := range s.Env {
		e.Env = append(e.Env, v.EnvSetting)
		note(FactKey("env", v.Name), v.Evidence)
	}
	for _, c := range s.Checks {
		e.Checks = append(e.Checks, c.Check)
		note(FactKey("check", c.String()), c.Evidence)
	}
	for _, r := range s.Ranges {
		re, err := r.entry(false)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		e.Ranges = append(e.Ranges, re)
	}
	return e, nil
}

// FactKey names a fact of an entry in its Evidence map: "tmpfs /run/app"
// (the target, without options), "volume PATH", "image_volume PATH",
// "no_tmpfs PATH", "trait jvm", "env NAME", "user", "from", "verdict",
// a capability of caps "cap CHOWN", "run_as", "needs_root", and a check
// of a cond verdict "check CHECK" ("check REDIS_HOST unset"). Unset also
// takes "caps": every capability.
func FactKey(kind, value string) string {
	if kind == "tmpfs" {
		value = TmpfsTarget(value)
	}
	return strings.TrimSpace(kind + " " + value)
}

// Facts lists the keys (FactKey) of the facts an entry (or range) states,
// in the order of the schema: what the evidence test requires evidence for.
func (e *ImageEntry) Facts() []string {
	var keys []string
	if e.User != "" {
		keys = append(keys, FactKey("user", ""))
	}
	add := func(kind string, values []string) {
		for _, v := range values {
			keys = append(keys, FactKey(kind, v))
		}
	}
	add("tmpfs", e.Tmpfs)
	add("volume", e.Volumes)
	add("image_volume", e.ImageVolumes)
	add("no_tmpfs", e.NoTmpfs)
	for _, s := range e.Env {
		keys = append(keys, FactKey("env", s.Name))
	}
	add("trait", e.Traits)
	add("cap", e.Caps)
	if e.RunAs != "" {
		keys = append(keys, FactKey("run_as", ""))
	}
	if e.NeedsRoot != "" {
		keys = append(keys, FactKey("needs_root", ""))
	}
	if e.From != "" {
		keys = append(keys, FactKey("from", ""))
	}
	if e.Verdict == DoesNotWork {
		keys = append(keys, FactKey("verdict", ""))
	}
	return slices.Compact(keys)
}
