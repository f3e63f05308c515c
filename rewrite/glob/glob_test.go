package glob

import "testing"

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"*.yaml", "a.yaml", true},
		{"*.yaml", "dir/a.yaml", false}, // * stays in one segment
		{"**/*.yaml", "a.yaml", true},   // leading **/ is zero or more directories
		{"**/*.yaml", "x/y/a.yaml", true},
		{"deploy/**", "deploy/v1/a.yaml", true},
		{"deploy/**", "deploy", false}, // trailing /** is what is inside
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/x/y/b", true},
		{"a/**/b", "a/x/y/c", false},
		{"tests/", "tests", true}, // a trailing slash names the same path
		{"v[0-9]*", "v3.0.0", true},
		{"[!v]*", "v3.0.0", false}, // git's [!...] negates
		{"[!v]*", "w3", true},
		{"[^v]*", "w3", true},
		{`\*.yaml`, "*.yaml", true}, // a backslash escapes
		{`\*.yaml`, "a.yaml", false},
		{"?.sh", "a.sh", true},
		{"?.sh", "ab.sh", false},
		{"a/b", "a/b/c", false}, // no implicit prefix match
	}
	for _, tt := range tests {
		g, err := Compile(tt.pattern)
		if err != nil {
			t.Fatalf("Compile(%q): %v", tt.pattern, err)
		}
		if got := g.Match(tt.path); got != tt.want {
			t.Errorf("%q.Match(%q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestMatchUnder(t *testing.T) {
	tests := []struct {
		pattern, dir string
		want         bool
	}{
		{"tests/compose/*.yml", "tests", true},
		{"tests/compose/*.yml", "tests/compose", true},
		{"tests/compose/*.yml", "tests/other", false},
		{"tests/compose/*.yml", "fixtures", false},
		{"**/compose.yml", "deep/tests", true},
		{"tests", "tests", true}, // the directory itself
		{"tests", "tests/sub", false},
		{"*/fixtures/**", "a/fixtures", true},
	}
	for _, tt := range tests {
		g, err := Compile(tt.pattern)
		if err != nil {
			t.Fatalf("Compile(%q): %v", tt.pattern, err)
		}
		if got := g.MatchUnder(tt.dir); got != tt.want {
			t.Errorf("%q.MatchUnder(%q) = %v, want %v", tt.pattern, tt.dir, got, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, p := range []string{"", "/abs", "a//b", "[a", `a\`} {
		if _, err := Compile(p); err == nil {
			t.Errorf("Compile(%q) = nil error, want one", p)
		}
	}
}
