package policy

import (
	"strings"
	"testing"
)

// TestFromAndRanges: an entry built FROM another inherits its base's
// facts at the version its tag names, less what it unsets; its verdict
// replaces the base's; ranges add their facts and replace the verdict.
func TestFromAndRanges(t *testing.T) {
	k, err := ParseTable([]byte(`
- name: php apache
  match: ["php:*apache*"]
  tmpfs: [/run]
  verdict: "yes"
- name: base
  match: [base]
  latest: "3"
  read: "2026-12-07"
  tmpfs: [/run/base]
  image_volumes: [/data]
  verdict: "yes"
  ranges:
    - versions: "<2"
      volumes: [/old]
      verdict: "no"
      conditions: old ones write their code.
    - versions: ">=2"
      volumes: [/data]
- name: drupal
  match: [drupal]
  from: "php:*-apache"
- name: child
  match: [child]
  from: "base:{version}"
  unset: [tmpfs /run/base]
  latest: "3"
  read: "2026-12-07"
  verdict: cond
  checks: [{env: X, unset: true}]
- name: loop a
  match: [loop-a]
  from: loop-b
- name: loop b
  match: [loop-b]
  from: loop-a
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		image   string
		entries string
		tmpfs   string
		volumes string
		verdict Verdict
	}{
		{"drupal:11", "drupal php apache", "/run /tmp", "", Works},
		{"base:1.9", "base", "/run/base /tmp", "/old", DoesNotWork},
		{"base:2", "base", "/run/base /tmp", "/data", Works},
		{"child:1", "child base", "/tmp", "/old", WorksWithConditions},
		{"child", "child base", "/tmp", "/data", WorksWithConditions},
		{"loop-a", "loop a loop b", "/tmp", "", Works}, // a cycle ends (the table test refuses one)
	}
	for _, tt := range tests {
		n := k.Lookup(tt.image)
		var names []string
		for _, e := range n.Entries {
			names = append(names, e.Name)
		}
		if got := strings.Join(names, " "); got != tt.entries || strings.Join(n.Tmpfs, " ") != tt.tmpfs ||
			strings.Join(n.Volumes, " ") != tt.volumes || n.Verdict != tt.verdict {
			t.Errorf("Lookup(%q) = entries %q tmpfs %q volumes %q verdict %s; want %q %q %q %s",
				tt.image, got, n.Tmpfs, n.Volumes, n.Verdict, tt.entries, tt.tmpfs, tt.volumes, tt.verdict)
		}
	}
	if n := k.Lookup("child:1"); len(n.Checks) != 1 || n.Checks[0].String() != "X unset" {
		t.Errorf("Lookup(child:1).Checks = %v, want the child's check", n.Checks)
	}
	if n := k.Lookup("drupal:11"); n.Entries[1].Inherited != "drupal" || len(n.Resolved) != 1 || n.Resolved[0].From != "php:*-apache" {
		t.Errorf("Lookup(drupal:11): inherited %q, resolved %+v", n.Entries[1].Inherited, n.Resolved)
	}
}
