package policy

import (
	"strings"
	"testing"
)

// TestParseVersion: the version a tag starts with.
func TestParseVersion(t *testing.T) {
	for tag, want := range map[string]string{
		"16": "16", "16.4": "16.4", "16-alpine": "16", "16.4-bookworm": "16.4", "v2.1": "2.1",
		"3-core": "3", "1.27.3-alpine-slim": "1.27.3", "8.0.": "8.0",
		"latest": "", "alpine": "", "": "", "bookworm": "", "v": "", "pg17": "", "1234567890": "",
	} {
		v, ok := parseVersion(tag)
		if got := v.String(); ok != (want != "") || ok && got != want {
			t.Errorf("parseVersion(%q) = %q, %v; want %q", tag, got, ok, want)
		}
	}
}

// TestInRange: comparisons, all of which must hold; malformed ranges.
func TestInRange(t *testing.T) {
	tests := []struct {
		v, r string
		want bool
	}{
		{"17", "<18", true}, {"17.9", "<18", true}, {"18", "<18", false}, {"18", ">=18", true},
		{"18.0", "=18", true}, {"19", ">=18", true}, {"1.5", ">=1.2 <2", true}, {"2.0", ">=1.2 <2", false},
		{"1.1", ">=1.2 <2", false}, {"7", "<=7", true}, {"7.2", "<=7", false}, {"8", ">7", true},
	}
	for _, tt := range tests {
		v, _ := parseVersion(tt.v)
		if got, err := inRange(v, tt.r); err != nil || got != tt.want {
			t.Errorf("inRange(%s, %q) = %v, %v; want %v", tt.v, tt.r, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "18", "~18", "<", "<18x", ">=1..2", "=> 18"} {
		if _, err := inRange(version{1}, bad); err == nil {
			t.Errorf("inRange(1, %q) = nil error", bad)
		}
	}
}

// TestResolveTag: version tags, floating tags, a newer major, tag_version.
func TestResolveTag(t *testing.T) {
	pg := &ImageEntry{Name: "postgres", Latest: "18", Read: "2026-12-07", Floating: map[string]string{"lts": "16"}}
	vec := &ImageEntry{Name: "pgvector", Latest: "18", Read: "2026-12-07", TagVersion: `pg(\d+)`}
	tests := []struct {
		e             *ImageEntry
		image, tag    string
		version, note string
	}{
		{pg, "postgres", "16.4-bookworm", "16.4", ""},
		{pg, "postgres", "18", "18", ""},
		{pg, "postgres", "latest", "18", "postgres:latest stands for 18 (read 2026-12-07)"},
		{pg, "postgres", "", "18", "postgres:latest stands for 18 (read 2026-12-07)"},
		{pg, "postgres", "alpine", "18", "postgres:alpine stands for 18"},
		{pg, "postgres", "lts", "16", "postgres:lts stands for 16"},
		{pg, "postgres", "19-alpine", "18", "postgres:19-alpine is newer than rofix's table (18, read 2026-12-07); using 18's facts"},
		{vec, "pgvector/pgvector", "0.8.0-pg17", "17", ""},
		{vec, "pgvector/pgvector", "pg16", "16", ""},
		{vec, "pgvector/pgvector", "latest", "18", "stands for 18"},
		{&ImageEntry{Name: "x"}, "x", "alpine", "", ""},
	}
	for _, tt := range tests {
		got := tt.e.resolveTag(tt.image, tt.tag)
		if got.Version != tt.version || tt.note == "" && got.Note != "" || !strings.Contains(got.Note, tt.note) {
			t.Errorf("%s resolveTag(%q) = %+v, want version %q note %q", tt.e.Name, tt.tag, got, tt.version, tt.note)
		}
	}
}
