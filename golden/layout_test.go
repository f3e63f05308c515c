package golden

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/policy"
)

// A layout is one way of writing the same compose file: what compose
// decodes does not depend on it, so neither may what rofix makes of it.
type layout struct {
	indent     int    // spaces per level: 2 or 4
	indentless bool   // block sequences with the dash at the key's column
	flow       bool   // lists as [a, b] instead of block sequences
	after      string // what follows the service under test: see afters
	crlf       bool
	noFinalEOL bool
}

// afters are the places the service under test (web) can end: the file
// ends there, a comment follows (at column 0, at the keys' column, or
// deeper, where it belongs to the last item), blank lines follow (then a
// comment), the next service follows, or another key of web follows its
// hardening keys.
var afters = []string{"eof", "comment0", "comment-keys", "comment-deep", "blank", "blank-comment", "next-service", "next-key"}

// A content is which hardening keys web has, and how: the value of each
// key as compose decodes it ("" for absent).
type content struct {
	readOnly    string // "", "true", "false"
	tmpfs       string // "", "scalar", "empty", "list" (compose rejects a null one)
	securityOpt string // "", "empty", "list" (compose rejects a null one)
	volumes     string // "", "empty", "list"
}

func (c content) String() string {
	return fmt.Sprintf("read_only=%s,tmpfs=%s,security_opt=%s,volumes=%s", or(c.readOnly), or(c.tmpfs), or(c.securityOpt), or(c.volumes))
}

func or(s string) string {
	if s == "" {
		return "absent"
	}
	return s
}

// contents returns every combination of the key states compose accepts:
// its schema takes a string only for read_only and tmpfs (security_opt and
// volumes are lists), and no null list; the canonical rendering of each
// content is loaded with compose-go to prove it.
func contents() []content {
	var out []content
	for _, ro := range []string{"", "true", "false"} {
		for _, tm := range []string{"", "scalar", "empty", "list"} {
			for _, so := range []string{"", "empty", "list"} {
				for _, vo := range []string{"", "empty", "list"} {
					out = append(out, content{ro, tm, so, vo})
				}
			}
		}
	}
	return out
}

// layouts returns every layout; flow lists have no dash style, so only
// one of indentless/indented is rendered for them.
func layouts() []layout {
	var out []layout
	for _, indent := range []int{2, 4} {
		for _, indentless := range []bool{false, true} {
			for _, flow := range []bool{false, true} {
				if flow && indentless {
					continue
				}
				for _, after := range afters {
					for _, crlf := range []bool{false, true} {
						for _, noEOL := range []bool{false, true} {
							out = append(out, layout{indent, indentless, flow, after, crlf, noEOL})
						}
					}
				}
			}
		}
	}
	return out
}

func (l layout) String() string {
	s := fmt.Sprintf("indent%d", l.indent)
	switch {
	case l.flow:
		s += ",flow"
	case l.indentless:
		s += ",indentless"
	default:
		s += ",indented"
	}
	s += "," + l.after
	if l.crlf {
		s += ",crlf"
	}
	if l.noFinalEOL {
		s += ",no-final-newline"
	}
	return s
}

// render writes c in layout l.
func render(c content, l layout) []byte {
	in1 := strings.Repeat(" ", l.indent)
	in2 := in1 + in1
	seq := in2 + in1
	if l.indentless {
		seq = in2
	}
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	list := func(key string, items ...string) {
		if l.flow {
			line(in2 + key + ": [" + strings.Join(items, ", ") + "]")
			return
		}
		line(in2 + key + ":")
		for _, it := range items {
			line(seq + "- " + it)
		}
	}
	other := func() {
		line(in1 + "other:")
		line(in2 + "image: busybox")
	}
	line("services:")
	if l.after != "next-service" {
		other()
	}
	line(in1 + "web:")
	line(in2 + "image: nginx")
	if c.readOnly != "" {
		line(in2 + "read_only: " + c.readOnly)
	}
	switch c.tmpfs {
	case "scalar":
		line(in2 + "tmpfs: /run")
	case "null":
		line(in2 + "tmpfs:")
	case "empty":
		line(in2 + "tmpfs: []")
	case "list":
		list("tmpfs", "/run", "/var/cache")
	}
	switch c.securityOpt {
	case "null":
		line(in2 + "security_opt:")
	case "empty":
		line(in2 + "security_opt: []")
	case "list":
		list("security_opt", "label:disable")
	}
	switch c.volumes {
	case "empty":
		line(in2 + "volumes: []")
	case "list":
		list("volumes", "./app.conf:/etc/app.conf", "data:/data")
	}
	switch l.after {
	case "comment0":
		line("# the end")
	case "comment-keys":
		line(in2 + "# more keys later")
	case "comment-deep":
		line(in2 + in1 + "# about the last item")
	case "blank":
		line("")
		line("")
	case "blank-comment":
		line("")
		line("# the end")
	case "next-service":
		other()
	case "next-key":
		line(in2 + "restart: always")
	}
	out := b.String()
	if l.crlf {
		out = strings.ReplaceAll(out, "\n", "\r\n")
	}
	if l.noFinalEOL {
		out = strings.TrimRight(out, "\r\n")
	}
	return []byte(out)
}

// decoded returns the services of a compose file as yaml.v3 decodes them,
// normalised the way compose reads the keys rofix touches: a tmpfs string
// is a list of one, a null list is an empty one. The key the "next-key"
// layout adds is dropped.
func decoded(t *testing.T, src []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := yaml.NewDecoder(bytes.NewReader(src)).Decode(&doc); err != nil {
		t.Fatalf("output does not decode: %v", err)
	}
	services, _ := doc["services"].(map[string]any)
	for _, s := range services {
		svc, _ := s.(map[string]any)
		delete(svc, "restart")
		for _, key := range []string{"tmpfs", "security_opt", "volumes"} {
			v, ok := svc[key]
			switch v := v.(type) {
			case nil:
				if ok {
					svc[key] = []any{}
				}
			case string:
				svc[key] = []any{v}
			}
		}
	}
	return services
}

// TestLayouts renders the same services in every layout compose accepts
// and requires rofix to harden each one, idempotently, to outputs that
// decode to the same services.
func TestLayouts(t *testing.T) {
	logrus.SetOutput(io.Discard)
	pol := policy.Default()
	ls, cs := layouts(), contents()
	t.Logf("%d contents in %d layouts each", len(cs), len(ls))
	for _, c := range cs {
		// The canonical layout must be a file compose loads, before and after.
		ref := render(c, ls[0])
		if _, err := loadProject(t.TempDir(), "compose.yaml", ref); err != nil {
			t.Fatalf("%v: the generator wrote a file compose rejects: %v\n%s", c, err, ref)
		}
		var want map[string]any
		for _, l := range ls {
			src := render(c, l)
			res := rewrite.Process("compose.yaml", src, rewrite.Compose, pol)
			if res.Err != nil {
				t.Errorf("%v, %v: refused: %v\n%s", c, l, res.Err, src)
				continue
			}
			if !res.Changed() {
				t.Errorf("%v, %v: nothing hardened\n%s", c, l, src)
				continue
			}
			again := rewrite.Process("compose.yaml", res.Out, rewrite.Compose, pol)
			if again.Err != nil || again.Changed() {
				t.Errorf("%v, %v: second run not idempotent (err %v)\n%s", c, l, again.Err, res.Out)
				continue
			}
			if l.crlf != bytes.Contains(res.Out, []byte("\r\n")) || l.crlf && bytes.Contains(bytes.ReplaceAll(res.Out, []byte("\r\n"), nil), []byte("\n")) {
				t.Errorf("%v, %v: line endings not kept\n%q", c, l, res.Out)
			}
			if l.noFinalEOL == bytes.HasSuffix(res.Out, []byte("\n")) {
				t.Errorf("%v, %v: final newline not kept\n%q", c, l, res.Out)
			}
			got := decoded(t, res.Out)
			if want == nil {
				want = got
				checkLayoutHardened(t, c, got)
				if _, err := loadProject(t.TempDir(), "compose.yaml", res.Out); err != nil {
					t.Errorf("%v, %v: compose rejects the output: %v\n%s", c, l, err, res.Out)
				}
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%v, %v: the output decodes differently from %v's:\n got %v\nwant %v\n%s", c, l, ls[0], got, want, res.Out)
			}
		}
	}
}

// checkLayoutHardened checks what the policy asks of web: read-only with a
// /tmp tmpfs unless read_only: false is written, no-new-privileges, and the
// configuration bind read-only.
func checkLayoutHardened(t *testing.T, c content, services map[string]any) {
	t.Helper()
	web, _ := services["web"].(map[string]any)
	strs := func(key string) []string {
		var out []string
		list, _ := web[key].([]any)
		for _, v := range list {
			out = append(out, fmt.Sprint(v))
		}
		return out
	}
	if ro := web["read_only"]; c.readOnly == "false" {
		if ro != false {
			t.Errorf("%v: read_only: false not kept: %v", c, ro)
		}
	} else if ro != true || !slices.Contains(strs("tmpfs"), "/tmp") {
		t.Errorf("%v: not read-only with a /tmp tmpfs: read_only %v, tmpfs %v", c, ro, strs("tmpfs"))
	}
	if !slices.Contains(strs("security_opt"), "no-new-privileges:true") {
		t.Errorf("%v: no no-new-privileges: %v", c, strs("security_opt"))
	}
	if c.volumes == "list" && !slices.Contains(strs("volumes"), "./app.conf:/etc/app.conf:ro") {
		t.Errorf("%v: configuration bind not read-only: %v", c, strs("volumes"))
	}
}
