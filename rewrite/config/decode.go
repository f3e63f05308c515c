package config

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// maxErrors bounds the errors reported for one file.
const maxErrors = 20

// decoder walks the YAML tree of one config file and collects errors.
type decoder struct {
	path string
	errs Errors
}

// errorf records an error at n. A line break in what the file says (a key,
// a tag) is escaped: each error stays one line that names the file.
func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	if len(d.errs) < maxErrors {
		msg := oneLine.Replace(fmt.Sprintf(format, args...))
		d.errs = append(d.errs, &Error{Path: d.path, Line: n.Line, Column: n.Column, Msg: msg})
	}
}

var oneLine = strings.NewReplacer("\n", `\n`, "\r", `\r`)

// yamlLine matches yaml.v3's error messages, compiled on first use.
var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// Parse parses a config file's content; path names it in errors. Every
// problem is reported (up to a bound) as an Errors value; nothing of a file
// with an error is used.
func Parse(path string, src []byte) (*Config, error) {
	c := &Config{Path: path}
	dec := yaml.NewDecoder(strings.NewReader(string(src)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return c, nil // empty: nothing configured
		}
		return nil, syntaxError(path, err)
	}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case err == nil:
		return nil, Errors{{Path: path, Line: second.Line, Column: second.Column, Msg: "a config file holds one YAML document, not several"}}
	case !errors.Is(err, io.EOF):
		return nil, syntaxError(path, err)
	}
	d := &decoder{path: path}
	d.top(c, &doc)
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	return c, nil
}

func syntaxError(path string, err error) error {
	if m := yamlLine().FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		if slices.Contains(parserErrors, m[2]) {
			line++ // yaml.v3 reports a parser error's line 0-based
		}
		return Errors{{Path: path, Line: line, Msg: "invalid YAML: " + m[2]}}
	}
	return Errors{{Path: path, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
}

// parserErrors are the messages of libyaml's parser (not its scanner): for
// those, yaml.v3 prints the 0-based line of the context mark (the compose
// engine corrects its messages the same way).
var parserErrors = []string{
	"did not find expected node content", "did not find expected key",
	"did not find expected '-' indicator", "did not find expected ',' or ']'",
	"did not find expected ',' or '}'", "did not find expected <document start>",
}

// resolve follows an alias to its anchored node.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		switch n.Tag {
		case "!!int":
			return "an int"
		case "!!str":
			return "a string"
		case "!!float", "!!bool", "!!timestamp", "!!binary":
			return "a " + n.Tag[2:]
		}
		return "a scalar tagged " + strconv.Quote(n.Tag)
	}
	return "an alias"
}

// mapping calls field for each key of mapping n, in order, after checking
// that n is a mapping with plain, unique keys. where names n in errors.
func (d *decoder) mapping(n *yaml.Node, where string, field func(key string, k, v *yaml.Node)) bool {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping, not %s", where, kindName(n))
		return false
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "a key in %s must be a string, not %s", where, kindName(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k, "duplicate key %q in %s (first at line %d)", k.Value, where, first)
			continue
		}
		seen[k.Value] = k.Line
		field(k.Value, k, v)
	}
	return true
}

func (d *decoder) unknown(k *yaml.Node, where string, known []string) {
	d.errorf(k, "unknown key %q in %s (known: %s)", k.Value, where, strings.Join(known, ", "))
}

// str reads a scalar as a string.
func (d *decoder) str(n *yaml.Node, where string) (string, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errorf(n, "%s must be a string, not %s", where, kindName(n))
		return "", false
	}
	return n.Value, true
}

// boolean reads true or false.
func (d *decoder) boolean(n *yaml.Node, where string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.errorf(n, "%s must be true or false, not %s", where, describe(n))
		return false, false
	}
	on, _ := strconv.ParseBool(strings.ToLower(n.Value))
	return on, true
}

// list reads a list of scalars; null is an empty list.
func (d *decoder) list(n *yaml.Node, where string) ([]string, bool) {
	if isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list of strings, not %s", where, kindName(n))
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	ok := true
	for i, item := range n.Content {
		s, good := d.str(resolve(item), fmt.Sprintf("%s[%d]", where, i))
		ok = ok && good
		out = append(out, s)
	}
	return out, ok
}

var topKeys = []string{"ro-mounts", "rules", "images", "services", "include", "exclude"}

func (d *decoder) top(c *Config, doc *yaml.Node) {
	if len(doc.Content) == 0 {
		return
	}
	root := resolve(doc.Content[0])
	if isNull(root) {
		return
	}
	d.mapping(root, "the config file", func(key string, k, v *yaml.Node) {
		switch key {
		case "ro-mounts":
			if s, ok := d.str(v, "ro-mounts"); ok {
				mode, err := policy.ParseROMounts(s)
				if err != nil {
					d.errorf(v, "ro-mounts is %q: want auto, binds or off", s)
					return
				}
				c.ROMounts = &mode
			}
		case "rules":
			d.rules(c, v)
		case "images":
			d.images(c, v)
		case "services":
			d.services(c, v)
		case "include":
			c.Include = d.pathGlobs(v, "include")
		case "exclude":
			c.Exclude = d.pathGlobs(v, "exclude")
		default:
			d.unknown(k, "the config file", topKeys)
		}
	})
}

func (d *decoder) rules(c *Config, n *yaml.Node) {
	if isNull(n) {
		return
	}
	var ids []string
	for _, r := range finding.Rules {
		ids = append(ids, string(r.ID))
	}
	c.Rules = map[finding.Rule]bool{}
	d.mapping(n, "rules", func(key string, k, v *yaml.Node) {
		if !finding.IsRule(key) {
			d.errorf(k, "unknown rule %q in rules (rules: %s)", key, strings.Join(ids, ", "))
			return
		}
		if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
			d.errorf(v, "rules.%s must be true or false, not %s", key, describe(v))
			return
		}
		on, _ := strconv.ParseBool(strings.ToLower(v.Value))
		c.Rules[finding.Rule(key)] = on
	})
}

// printable returns a name as is, or quoted when it holds characters that
// would garble a one-line message.
func printable(name string) string {
	if q := strconv.Quote(name); q[1:len(q)-1] != name || name == "" {
		return q
	}
	return name
}

// describe names a node for a message: its value for a scalar.
func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		return strconv.Quote(n.Value)
	}
	return kindName(n)
}

func (d *decoder) images(c *Config, n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "images must be a list of image entries, not %s", kindName(n))
		return
	}
	for i, item := range n.Content {
		item = resolve(item)
		where := fmt.Sprintf("images[%d]", i)
		e, ok := d.entry(item, where, true)
		if !ok {
			continue
		}
		if e.Verdict == "" && e.From == "" { // with from:, the base's verdict
			e.Verdict = policy.Works
		}
		if e.Confidence == "" {
			e.Confidence = DefaultConfidence
		}
		if len(e.Sources) == 0 {
			e.Sources = []string{fmt.Sprintf("%s:%d", d.path, item.Line)}
		}
		c.Images = append(c.Images, e)
	}
}

func (d *decoder) services(c *Config, n *yaml.Node) {
	if isNull(n) {
		return
	}
	c.Services = map[string]*policy.ImageEntry{}
	d.mapping(n, "services", func(name string, k, v *yaml.Node) {
		where := "services." + printable(name)
		e, ok := d.entry(v, where, false)
		if !ok {
			return
		}
		if e.Confidence == "" {
			e.Confidence = DefaultConfidence
		}
		if len(e.Sources) == 0 {
			e.Sources = []string{fmt.Sprintf("%s:%d", d.path, k.Line)}
		}
		c.Services[name] = e
	})
}
