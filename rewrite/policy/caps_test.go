package policy

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestPrivilegeFacts: caps, run_as and needs_root are read from the
// table's source form with their evidence, and resolved like the other
// facts: the most specific entry says them, tag ranges replace them,
// from: inherits them and unset: drops them.
func TestPrivilegeFacts(t *testing.T) {
	const ev = `docker-library/postgres@6edb0a8 17/docker-entrypoint.sh#L%d "%s"`
	k, err := ParseTable([]byte(fmt.Sprintf(`
- name: pg
  match: [pg]
  latest: "17"
  read: "2026-12-07"
  caps:
    - {value: CHOWN, evidence: ['`+ev+`']}
    - SETUID
  run_as: {value: "999:999", evidence: ['`+ev+`']}
  verdict: "yes"
  ranges:
    - versions: "<10"
      caps: []
      needs_root: entrypoint chowns
- name: none
  match: [none]
  caps: []
  verdict: "yes"
- name: child
  match: [child]
  from: pg
- name: child unset
  match: [child-unset]
  from: pg
  unset: [caps, run_as]
- name: child one cap
  match: [child-one]
  from: pg
  unset: [cap SETUID]
- name: child own
  match: [child-own]
  from: pg
  caps: [NET_BIND_SERVICE]
  needs_root: it binds port 80 as root
`, 12, `find "$PGDATA" \! -user postgres -exec chown postgres {} +`, 3, `if [ "$(id -u)" = 0 ]; then`)))
	if err != nil {
		t.Fatal(err)
	}
	pg := k.Entries[0]
	if want := []string{"CHOWN", "SETUID"}; !reflect.DeepEqual(pg.Caps, want) || pg.RunAs != "999:999" {
		t.Errorf("pg: caps %q run_as %q", pg.Caps, pg.RunAs)
	}
	if got, want := pg.Facts(), []string{"cap CHOWN", "cap SETUID", "run_as"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Facts() = %q, want %q", got, want)
	}
	if len(pg.Evidence["cap CHOWN"]) != 1 || len(pg.Evidence["run_as"]) != 1 {
		t.Errorf("evidence %v", pg.Evidence)
	}
	if k.Entries[1].Caps == nil || len(k.Entries[1].Caps) != 0 {
		t.Errorf("caps: [] read as %#v, want empty, not nil (needs none)", k.Entries[1].Caps)
	}
	tests := []struct {
		image            string
		caps             string // "-" unknown
		runAs, needsRoot string
	}{
		{"pg:17", "CHOWN SETUID", "999:999", ""},
		{"pg:9", "", "", "entrypoint chowns"},
		{"none", "", "", ""},
		{"unknown", "-", "", ""},
		{"child", "CHOWN SETUID", "999:999", ""},
		{"child-unset", "-", "", ""},
		{"child-one", "CHOWN", "999:999", ""},
		{"child-own", "NET_BIND_SERVICE", "", "it binds port 80 as root"},
	}
	for _, tt := range tests {
		n := k.Lookup(tt.image)
		caps := strings.Join(n.Caps, " ")
		if !n.CapsKnown {
			caps = "-"
		}
		if caps != tt.caps || n.RunAs != tt.runAs || n.NeedsRoot != tt.needsRoot {
			t.Errorf("Lookup(%q): caps %q run_as %q needs_root %q; want %q %q %q", tt.image, caps, n.RunAs, n.NeedsRoot, tt.caps, tt.runAs, tt.needsRoot)
		}
	}
	if n := k.Lookup("child"); n.CapsFrom != "pg" || n.RunAsFrom != "pg" {
		t.Errorf("Lookup(child): from %q %q, want the entry that says them", n.CapsFrom, n.RunAsFrom)
	}
	if k.Entries[0].Caps[0] != "CHOWN" || len(k.Entries[0].Caps) != 2 {
		t.Errorf("unset changed the base entry: %q", k.Entries[0].Caps)
	}

	// A service override wins.
	p := Policy{Images: k, Services: map[string]*ImageEntry{
		"db":  {Name: "service db", Caps: []string{"CHOWN", "DAC_OVERRIDE"}, RunAs: "70:70", Sources: []string{".rofix.yaml:9"}},
		"old": {Name: "service old", NeedsRoot: "chowns its data"},
	}}
	if n := p.NeedsFor("db", "pg:17"); strings.Join(n.Caps, " ") != "CHOWN DAC_OVERRIDE" || n.RunAs != "70:70" || n.CapsFrom != "service db: .rofix.yaml:9" {
		t.Errorf("override db: caps %q run_as %q from %q", n.Caps, n.RunAs, n.CapsFrom)
	}
	if n := p.NeedsFor("old", "pg:17"); n.RunAs != "" || n.NeedsRoot != "chowns its data" || strings.Join(n.Caps, " ") != "CHOWN SETUID" {
		t.Errorf("override old: caps %q run_as %q needs_root %q", n.Caps, n.RunAs, n.NeedsRoot)
	}
	if n := p.NeedsFor("web", "pg:17"); n.RunAs != "999:999" {
		t.Errorf("no override: run_as %q", n.RunAs)
	}
}

func TestPrivilegeFactsCheck(t *testing.T) {
	for _, tt := range []struct{ entry, want string }{
		{`caps: [chown]`, `"chown" is not a capability name`},
		{`caps: [CAP_CHOWN]`, `"CAP_CHOWN" is not a capability name`},
		{`caps: [ALL]`, `"ALL" is not a capability name`},
		{`caps: [SETUID, CHOWN]`, "sorted"},
		{`caps: [CHOWN, CHOWN]`, "once"},
		{`run_as: postgres`, "numeric UID:GID"},
		{`run_as: "0:0"`, "is root"},
		{`run_as: "1:1"` + "\n  needs_root: why", "contradict"},
		{`needs_root: " "`, "the reason"},
	} {
		_, err := ParseTable([]byte("- name: x\n  match: [x]\n  verdict: \"yes\"\n  " + tt.entry + "\n"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error with %q", tt.entry, err, tt.want)
		}
	}
}

// TestPrivilegeEvidence: the quote of a capability shows the operation
// that needs it, that of run_as the uid or the root check.
func TestPrivilegeEvidence(t *testing.T) {
	const at = `docker-library/postgres@6edb0a8 17/docker-entrypoint.sh#L3 "%s"`
	for _, tt := range []struct {
		key, user, quote string
		ok               bool
	}{
		{"cap CHOWN", "", `chown -R postgres "$PGDATA"`, true},
		{"cap CHOWN", "", `mkdir -p "$PGDATA"`, false},
		{"cap SETUID", "", `exec gosu postgres "$BASH_SOURCE" "$@"`, true},
		{"cap SETGID", "", `exec su-exec redis "$0" "$@"`, true},
		{"cap SETUID", "", `exec "$@"`, false},
		{"cap DAC_OVERRIDE", "", `find . \! -user redis -exec chown redis '{}' +`, true},
		{"cap FOWNER", "", `chmod 700 "$PGDATA"`, true},
		{"cap FOWNER", "", `exec "$@"`, false},
		{"cap NET_BIND_SERVICE", "", `listen 80;`, true},
		{"cap NET_BIND_SERVICE", "", `EXPOSE 443`, true},
		{"cap NET_BIND_SERVICE", "", `EXPOSE 8080`, false},
		{"cap KILL", "", `kill -HUP 1`, true},
		{"run_as", "999:999", `useradd -r -g postgres --uid=999 postgres`, true},
		{"run_as", "999:999", `if [ "$(id -u)" = '0' ]; then`, true},
		{"run_as", "999:999", `USER postgres`, false},
		{"needs_root", "", `exec gosu postgres "$@"`, true},
	} {
		why := mentions(tt.key, tt.user, []string{fmt.Sprintf(at, tt.quote)})
		if (why == "") != tt.ok {
			t.Errorf("%s %q: mentions says %q, want ok=%v", tt.key, tt.quote, why, tt.ok)
		}
	}
	if why := mentions("cap CHOWN", "", nil); why != "no evidence" {
		t.Errorf("no evidence: %q", why)
	}
}

// TestGoLiteralPrivileges: the Go table keeps caps: [] (needs none) apart
// from no caps (unknown), and writes run_as and needs_root.
func TestGoLiteralPrivileges(t *testing.T) {
	var b bytes.Buffer
	goLiteral(&b, reflect.ValueOf([]*ImageEntry{
		{Name: "a", Caps: []string{}, RunAs: "1:1"},
		{Name: "b", Caps: []string{"CHOWN"}, NeedsRoot: "why"},
		{Name: "c"},
	}), false)
	got := b.String()
	for _, want := range []string{"Caps: []string{}", "RunAs: \"1:1\"", "Caps: []string{\"CHOWN\",}", "NeedsRoot: \"why\""} {
		if !strings.Contains(got, want) {
			t.Errorf("goLiteral lacks %s:\n%s", want, got)
		}
	}
	if strings.Count(got, "Caps:") != 2 {
		t.Errorf("an entry without caps got a Caps field:\n%s", got)
	}
}
