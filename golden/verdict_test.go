package golden

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/golden/cases"
	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/policy"
)

// yamlRejection reports whether compose-go's error comes from reading the
// YAML (parsing, decoding, string keys, alias cycles) rather than from
// what the file says (schema, interpolation, extends, ...).
func yamlRejection(err error) bool {
	msg := err.Error()
	for _, s := range []string{"failed to parse ", "non-string key", "cycle detected", "node visit limit", "compose-go panicked"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// checkVerdict compares rofix's verdict on src with compose-go's: rofix
// must not edit a file compose rejects for a YAML reason, must not refuse
// a file compose loads, and what it edits must still load.
func checkVerdict(t *testing.T, src []byte) {
	t.Helper()
	res := rewrite.Process("compose.yaml", src, rewrite.Compose, policy.Default())
	if res.Err != nil && strings.Contains(res.Err.Error(), "refers to the node that holds it") {
		// An alias inside its own anchor: compose-go takes minutes on
		// some (a mapping merging itself), the YAML decoder refuses at once.
		if decodes(src) {
			t.Errorf("rofix refuses an alias cycle that yaml.v3 decodes: %v\n%s", res.Err, src)
		}
		return
	}
	dir := t.TempDir()
	composeErr := safeLoad(dir, src)
	switch {
	case res.Err == nil && res.Changed() && composeErr != nil && yamlRejection(composeErr):
		t.Errorf("rofix edits a file compose rejects: %v\n%s", composeErr, src)
	case res.Err != nil && composeErr == nil && flowColonGap(res.Err, src):
		// The one known gap, documented in the README: compose's YAML
		// library takes an unquoted value starting with ":" in some
		// places of a flow collection ([:], {a, :b}) and not in others
		// ({:b}); rofix refuses every one, with a hint to quote it.
	case res.Err != nil && composeErr == nil:
		t.Errorf("rofix refuses a file compose loads: %v\n%s", res.Err, src)
	case res.Err == nil && res.Changed() && composeErr == nil:
		if err := safeLoad(dir, res.Out); err != nil {
			t.Errorf("compose loads the input but not rofix's output: %v\ninput:\n%s\noutput:\n%s", err, src, res.Out)
		}
	}
}

// safeLoad loads src with compose-go, turning its panics (a document that
// is only "!reset" crashes it) into errors: compose does not run the file.
func safeLoad(dir string, src []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("compose-go panicked: %v", r)
		}
	}()
	_, err = loadProject(dir, "compose.yaml", src)
	return err
}

// decodes reports whether yaml.v3 decodes every document of src into any.
func decodes(src []byte) bool {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// verdictCases are YAML that the node parser accepts: some compose decodes,
// some it rejects. rofix must agree with compose on each.
var verdictCases = []struct{ name, src string }{
	{"merge alias of list of strings into mapping", "x-l: &l [a, b]\nservices:\n  web:\n    image: nginx\n    volumes: {<<: *l}\n"},
	{"merge alias of list of strings", "x-l: &l [a, b]\nservices:\n  web:\n    image: nginx\n    <<: *l\n"},
	{"merge alias of list of mappings", "x-l: &l [{read_only: true}]\nservices:\n  web:\n    image: nginx\n    <<: *l\n"},
	{"merge list holding alias of list", "x-l: &l [{read_only: true}]\nservices:\n  web:\n    image: nginx\n    <<: [*l]\n"},
	{"merge list of scalars", "services:\n  web:\n    image: nginx\n    <<: [a]\n"},
	{"merge scalar", "services:\n  web:\n    image: nginx\n    <<: a\n"},
	{"merge null", "services:\n  web:\n    image: nginx\n    <<:\n"},
	{"merge empty mapping", "services:\n  web:\n    image: nginx\n    <<: {}\n"},
	{"merge empty list", "services:\n  web:\n    image: nginx\n    <<: []\n"},
	{"merge reset", "services:\n  web:\n    image: nginx\n    <<: !reset a\n"},
	{"merge alias of scalar", "x-a: &a x\nservices:\n  web:\n    image: nginx\n    <<: *a\n"},
	{"merge alias of reset mapping", "x-a: &a !reset {read_only: true}\nservices:\n  web:\n    image: nginx\n    <<: *a\n"},
	{"merge in extension", "x-a: &a\n  <<: [a]\nservices:\n  web:\n    image: nginx\n"},
	{"merge key tagged", "services:\n  web:\n    image: nginx\n    !!merge x: {read_only: true}\n"},
	{"two merge keys", "x-a: &a {read_only: true}\nservices:\n  web:\n    image: nginx\n    <<: *a\n    <<: *a\n"},
	{"bool tag on yes", "services:\n  web:\n    image: nginx\n    read_only: !!bool yes\n"},
	{"int tag on text", "services:\n  web:\n    image: nginx\n    labels: {a: !!int abc}\n"},
	{"float tag on text", "services:\n  web:\n    image: nginx\n    labels: {a: !!float abc}\n"},
	{"null tag on text", "services:\n  web:\n    image: nginx\n    labels: {a: !!null abc}\n"},
	{"bad binary", "services:\n  web:\n    image: nginx\n    labels: {a: !!binary '@@@'}\n"},
	{"timestamp tag on text", "services:\n  web:\n    image: nginx\n    labels: {a: !!timestamp abc}\n"},
	{"good binary", "services:\n  web:\n    image: nginx\n    x-a: !!binary YWI=\n"},
	{"map tag on scalar", "services:\n  web:\n    image: nginx\n    x-a: !!map abc\n"},
	{"int tag on mapping", "services:\n  web:\n    image: nginx\n    x-a: !!int {a: b}\n"},
	{"int key", "services:\n  web:\n    image: nginx\n    x-a: {1: a}\n"},
	{"null key", "services:\n  web:\n    image: nginx\n    x-a: {~: a}\n"},
	{"bool key", "services:\n  web:\n    image: nginx\n    x-a: {true: a}\n"},
	{"float key", "services:\n  web:\n    image: nginx\n    x-a: {1.5: a}\n"},
	{"timestamp key", "services:\n  web:\n    image: nginx\n    x-a: {2001-01-01: a}\n"},
	{"binary key", "services:\n  web:\n    image: nginx\n    x-a: {!!binary YWI=: a}\n"},
	{"custom tag key", "services:\n  web:\n    image: nginx\n    x-a: {!foo a: a}\n"},
	{"quoted int key", "services:\n  web:\n    image: nginx\n    x-a: {\"1\": a}\n"},
	{"sequence key", "services:\n  web:\n    image: nginx\n    x-a: {? [a]: a}\n"},
	{"mapping key", "services:\n  web:\n    image: nginx\n    x-a: {? {a: b}: a}\n"},
	{"alias key of string", "x-k: &k a\nservices:\n  web:\n    image: nginx\n    x-a: {*k : 1}\n"},
	{"alias key of list", "x-k: &k [a]\nservices:\n  web:\n    image: nginx\n    x-a: {*k : 1}\n"},
	{"alias key duplicates", "x-k: &k a\nservices:\n  web:\n    image: nginx\n    x-a: {*k : 1, a: 2}\n"},
	{"quoted duplicate", "services:\n  web:\n    image: nginx\n    x-a: {a: 1, \"a\": 2}\n"},
	{"int and string duplicate", "services:\n  web:\n    image: nginx\n    x-a: {1: 1, \"1\": 2}\n"},
	{"alias cycle", "services:\n  web:\n    image: nginx\n    x-a: &a [*a]\n"},
	{"duplicates under reset", "services:\n  web:\n    image: nginx\n    x-a: !reset {a: 1, a: 2}\n"},
	{"reset value duplicated", "services:\n  web:\n    image: nginx\n    x-a: {a: !reset 1, a: 2}\n"},
	{"alias ratio", "x-l0: &l0 [a, b, c, d, e, f, g, h, i, j]\nx-l1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]\nx-l2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]\nx-l3: [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]\nservices:\n  web:\n    image: x\n"},
	{"alias ratio below the bound", "x-l0: &l0 [a, b, c, d, e, f, g, h, i, j]\nx-l1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]\nx-l2: [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]\nservices:\n  web:\n    image: x\n"},
	{"v1 lookalike extension", "x-:\n image:\n"},
	{"plain scalar with a quote in flow", "services:\n  a:\n    #0\n    labels: {0 \"} "},
	{"anchor with punctuation", "x-0: &!\n"},
	{"anchor and alias with a dot", "x-env: &default.env {TZ: UTC}\nservices:\n  web:\n    image: x\n    environment: *default.env\n"},
	{"reset document", "!reset"},
	{"merge under services", "services:\n <<: [] \n"},
	{"integer key with a reset value", "services:\n 00: !reset\n"},
	{"tag with a comma", "services:\n A: \n  A: !,"},
	{"tag with a comma in flow", "services:\n  web:\n    image: x\n    labels: [!a,b]\n"},
	{"mapping merging itself", "l: &l\n    <<: *l\n"},
	{"indentless last", "services:\n  backend:\n    image: x\n    security_opt:\n    - label:disable\n"},
	{"indentless all", "services:\n  backend:\n    image: x\n    volumes:\n    - ./a:/etc/a\n    tmpfs:\n    - /run\n    security_opt:\n    - label:disable\n"},
}

// TestVerdicts runs the verdict comparison over the cases above.
func TestVerdicts(t *testing.T) {
	logrus.SetOutput(io.Discard)
	for _, c := range verdictCases {
		t.Run(c.name, func(t *testing.T) { checkVerdict(t, []byte(c.src)) })
	}
}

// FuzzVerdict compares rofix's verdict (edited, refused) with compose-go's
// on any input: rofix edits nothing compose rejects for a YAML reason,
// refuses nothing compose loads, and its output loads when the input did.
// Seeds: the verdict cases and the compose golden inputs.
func FuzzVerdict(f *testing.F) {
	logrus.SetOutput(io.Discard)
	for _, c := range verdictCases {
		f.Add([]byte(c.src))
	}
	inputs, err := cases.Inputs(".", "compose")
	if err != nil {
		f.Fatal(err)
	}
	for _, in := range inputs {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return // compose-go's loader is slow on large inputs; size is not the point
		}
		checkVerdict(t, src)
	})
}

// flowValueColon matches an unquoted value starting with ":" in a flow
// collection.
var flowValueColon = regexp.MustCompile(`[\[{,][ \t]*:`)

// flowColonGap reports rofix's refusal of a flow value starting with ":".
func flowColonGap(err error, src []byte) bool {
	return strings.Contains(err.Error(), "did not find expected node content") && flowValueColon.Match(src)
}
