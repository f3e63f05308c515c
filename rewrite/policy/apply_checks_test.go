package policy

import (
	"strings"
	"testing"
)

// TestApplyChecks: a cond verdict's checks against the container. All
// met: read-only added, the conditions reported met; one not met, or not
// decidable from the file: read-only withheld, naming the check.
func TestApplyChecks(t *testing.T) {
	needs := func(checks ...Check) Needs {
		e := &ImageEntry{Name: "app", Verdict: WorksWithConditions, Checks: checks}
		return Needs{Entries: []*ImageEntry{e}, Verdict: WorksWithConditions, Checks: checks, Tmpfs: []string{"/tmp"}}
	}
	unset := Check{Env: "REDIS_HOST", Unset: true, Why: "the entrypoint writes a php ini"}
	set := Check{Env: "SKIP_SETCAP", Set: true}
	value := Check{Env: "KAFKA_LOG_DIRS", Value: "/var/lib/kafka/data"}
	mount := Check{Mount: "/etc/kafka"}
	nonRoot := Check{User: "non-root"}
	tests := []struct {
		name     string
		needs    Needs
		c        Container
		readOnly bool
		note     string
	}{
		{"unset and unset", needs(unset), Container{}, true, "app runs read-only only under conditions, met here: REDIS_HOST unset"},
		{"unset but set", needs(unset), Container{Env: map[string]string{"REDIS_HOST": "redis"}}, false,
			"app runs read-only only with REDIS_HOST unset (the entrypoint writes a php ini); REDIS_HOST is set to redis here (rofix adds read-only only then)"},
		{"unset, set empty", needs(unset), Container{Env: map[string]string{"REDIS_HOST": ""}, EnvUnknown: true}, false, "its value not known statically"},
		{"unset, an env file may set it", needs(unset), Container{EnvUnknown: true}, false, "an env file may set REDIS_HOST here"},
		{"unset, from a variable", needs(unset), Container{Env: map[string]string{"REDIS_HOST": "${HOST}"}}, false, "a value rofix cannot read"},
		{"set and set", needs(set), Container{Env: map[string]string{"SKIP_SETCAP": "1"}}, true, "met here: SKIP_SETCAP set"},
		{"set but not", needs(set), Container{}, false, "SKIP_SETCAP is not set here"},
		{"set, maybe in an env file", needs(set), Container{EnvUnknown: true}, false, "an env file may set it"},
		{"value right", needs(value), Container{Env: map[string]string{"KAFKA_LOG_DIRS": "/var/lib/kafka/data"}}, true, "met here: KAFKA_LOG_DIRS=/var/lib/kafka/data"},
		{"value wrong", needs(value), Container{Env: map[string]string{"KAFKA_LOG_DIRS": "/tmp/logs"}}, false, "KAFKA_LOG_DIRS is /tmp/logs here"},
		{"mount at the path", needs(mount), Container{Mounts: []MountPoint{{Target: "/etc/kafka"}}}, true, "met here: a mount at /etc/kafka"},
		{"mount above the path", needs(mount), Container{Mounts: []MountPoint{{Target: "/etc"}}}, true, "met here"},
		{"no mount", needs(mount), Container{Mounts: []MountPoint{{Target: "/etc/kafka/secrets"}}}, false, "nothing is mounted at /etc/kafka here"},
		{"non-root by the file", needs(nonRoot), Container{User: "1000:1000"}, true, "met here: user non-root"},
		{"non-root by the image", Needs{Entries: needs(nonRoot).Entries, Verdict: WorksWithConditions, Checks: []Check{nonRoot}, User: "node"}, Container{}, true, "met here"},
		{"root", needs(nonRoot), Container{User: "0:0"}, false, "it runs as root here"},
		{"no user known", needs(nonRoot), Container{}, false, "it runs as root here"},
		{"a named user", needs(Check{User: "999"}), Container{User: "1000"}, false, "it runs as 1000 here: set user 999"},
		{"two checks, one unmet", needs(unset, mount), Container{Mounts: []MountPoint{{Target: "/etc/kafka"}}, Env: map[string]string{"REDIS_HOST": "r"}}, false, "REDIS_HOST is set to r"},
		{"cond without checks: as before", needs(), Container{}, true, ""},
	}
	for _, tt := range tests {
		a := Apply(tt.needs, tt.c)
		var notes []string
		for _, n := range a.ReadOnlyNotes {
			notes = append(notes, n.Text)
		}
		all := strings.Join(notes, "\n")
		if a.ReadOnly != tt.readOnly || !strings.Contains(all, tt.note) {
			t.Errorf("%s: ReadOnly = %v, notes %q; want %v and a note with %q", tt.name, a.ReadOnly, notes, tt.readOnly, tt.note)
		}
	}
}
