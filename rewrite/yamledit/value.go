package yamledit

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// A Value is YAML to insert: a scalar, a sequence or a mapping.
type Value struct {
	Kind   yaml.Kind // ScalarNode, SequenceNode or MappingNode
	Scalar string    // a scalar's value
	Tag    string    // a scalar's resolved tag (!!str, !!bool)
	Items  []Value   // a sequence's items
	Keys   []string  // a mapping's keys
	Vals   []Value   // a mapping's values, one per key
	// raw marks a string written as it is (see Raw).
	raw bool
}

// Raw returns a string scalar written as it is in block context and, in
// flow context, double-quoted when it holds a comma or a bracket (which
// would end a plain scalar there). The caller guarantees that it reads back
// as itself so: a path with options checked by policy.SafeTmpfsEntry, an
// option such as no-new-privileges:true.
func Raw(s string) Value { return Value{Kind: yaml.ScalarNode, Scalar: s, Tag: "!!str", raw: true} }

// Str returns a string scalar.
func Str(s string) Value { return Value{Kind: yaml.ScalarNode, Scalar: s, Tag: "!!str"} }

// Bool returns a boolean scalar.
func Bool(b bool) Value {
	return Value{Kind: yaml.ScalarNode, Scalar: strconv.FormatBool(b), Tag: "!!bool"}
}

// Seq returns a sequence of items.
func Seq(items ...Value) Value { return Value{Kind: yaml.SequenceNode, Items: items} }

// Map returns a mapping of alternating keys (strings) and values (Value).
func Map(kv ...any) Value {
	v := Value{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Keys = append(v.Keys, kv[i].(string))
		v.Vals = append(v.Vals, kv[i+1].(Value))
	}
	return v
}

// plainSafe reports whether s reads back as the same string when written
// plain, in block and flow context alike: ^[A-Za-z_/.][A-Za-z0-9_/.-]*$
// (a loop: compiling the regexp cost more than a small file's edits).
func plainSafe(s string) bool {
	for i := range len(s) {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', c == '_', c == '/', c == '.':
		case i > 0 && ('0' <= c && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return s != ""
}

// yaml11Bool are the words YAML 1.1 readers (Kubernetes' among them) take
// for booleans although YAML 1.2 reads them as strings.
var yaml11Bool = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true}

// text returns a scalar as written: plain when that reads back as the same
// value with the same tag, double-quoted otherwise.
func (v Value) text() string {
	if v.Tag != "!!str" || v.raw {
		return v.Scalar
	}
	if plainSafe(v.Scalar) && !yaml11Bool[strings.ToLower(v.Scalar)] && plainIsString(v.Scalar) {
		return v.Scalar
	}
	return strconv.Quote(v.Scalar)
}

// plainIsString reports whether yaml.v3 resolves s, a plainSafe string
// written plain, to a string: not one of its words for booleans, null and
// special floats, nor a float starting with "." (its resolver tries no
// other reading for a string starting with a letter, "_", "/" or ".").
// A test checks it against yaml.v3's own reading; asking the parser for
// each string cost a third of the time on large files.
func plainIsString(s string) bool {
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL",
		".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF":
		return false
	}
	if s[0] == '.' {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return false
		}
	}
	return true
}

// empty returns the flow text of an empty collection, or "".
func (v Value) empty() string {
	switch {
	case v.Kind == yaml.MappingNode && len(v.Keys) == 0:
		return "{}"
	case v.Kind == yaml.SequenceNode && len(v.Items) == 0:
		return "[]"
	}
	return ""
}

// FlowText returns v in flow style.
func (v Value) FlowText() string {
	switch v.Kind {
	case yaml.SequenceNode:
		var parts []string
		for _, it := range v.Items {
			parts = append(parts, it.FlowText())
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case yaml.MappingNode:
		var parts []string
		for i, k := range v.Keys {
			parts = append(parts, Str(k).text()+": "+v.Vals[i].FlowText())
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	if v.raw && strings.ContainsAny(v.Scalar, ",[]{}") {
		return `"` + v.Scalar + `"`
	}
	return v.text()
}

// Node returns v as a YAML tree, for verification.
func (v Value) Node() *yaml.Node {
	switch v.Kind {
	case yaml.SequenceNode:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, it := range v.Items {
			n.Content = append(n.Content, it.Node())
		}
		return n
	case yaml.MappingNode:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for i, k := range v.Keys {
			n.Content = append(n.Content, Str(k).Node(), v.Vals[i].Node())
		}
		return n
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: v.Tag, Value: v.Scalar}
}

// keyLines renders "key: value" in block style with the key at column col.
func (c *Changes) keyLines(col int, key string, v Value, st SeqStyle) []string {
	pad := strings.Repeat(" ", col)
	k := Str(key).text()
	if e := v.empty(); e != "" {
		return []string{pad + k + ": " + e}
	}
	switch v.Kind {
	case yaml.MappingNode:
		lines := []string{pad + k + ":"}
		for i, ck := range v.Keys {
			lines = append(lines, c.keyLines(col+c.mapStep(), ck, v.Vals[i], st)...)
		}
		return lines
	case yaml.SequenceNode:
		lines := []string{pad + k + ":"}
		for _, it := range v.Items {
			lines = append(lines, c.itemLines(col+st.indent, st.dashSpace, it, st)...)
		}
		return lines
	}
	return []string{pad + k + ": " + v.text()}
}

// itemLines renders a block sequence item with its dash at column dash.
func (c *Changes) itemLines(dash, dashSpace int, v Value, st SeqStyle) []string {
	prefix := strings.Repeat(" ", dash) + "-" + strings.Repeat(" ", dashSpace)
	if v.Kind == yaml.MappingNode && len(v.Keys) > 0 {
		col := dash + 1 + dashSpace
		var lines []string
		for i, k := range v.Keys {
			lines = append(lines, c.keyLines(col, k, v.Vals[i], st)...)
		}
		lines[0] = prefix + lines[0][col:]
		return lines
	}
	if v.Kind == yaml.ScalarNode {
		return []string{prefix + v.text()}
	}
	return []string{prefix + v.FlowText()}
}
