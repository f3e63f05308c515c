package gitignore

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cases are gitignore(5)'s rules as a table: each .gitignore content with
// paths (relative to its directory; a trailing / marks a directory, whose
// parents are not ignored) and whether git ignores them.
var cases = []struct {
	name, gitignore string
	paths           map[string]bool
}{
	{"name at any depth", "build\n", map[string]bool{
		"build": true, "c/build/": true, "a/b/build": true, "a/build/": true, "builder": false, "a/xbuild": false}},
	{"directory only", "out/\n", map[string]bool{
		"out": false, "a/out/": true, "b/c/out/": true}},
	{"anchored by a leading slash", "/gen.yaml\n", map[string]bool{
		"gen.yaml": true, "a/gen.yaml": false}},
	{"anchored by a middle slash", "deploy/rendered\n", map[string]bool{
		"deploy/rendered/": true, "x/deploy/rendered": false}},
	{"wildcards stay in a segment", "*.gen.yml\ndoc/*.sh\n", map[string]bool{
		"a.gen.yml": true, "x/y/a.gen.yml": true, "doc/run.sh": true, "doc/sub/run.sh": false}},
	{"leading and middle **", "**/tmp/*.sh\na/**/b.sh\n", map[string]bool{
		"tmp/x.sh": true, "p/q/tmp/x.sh": true, "a/b.sh": true, "a/x/y/b.sh": true, "c/b.sh": false}},
	{"trailing ** is what is inside", "logs/**\n", map[string]bool{
		"logs/a.sh": true}},
	{"negation: the last match wins", "*.sh\n!keep.sh\n", map[string]bool{
		"a.sh": true, "keep.sh": false, "d/keep.sh": false}},
	{"negation, then ignored again", "!keep.sh\n*.sh\n", map[string]bool{
		"keep.sh": true}},
	{"comments, blanks, escapes", "# comment\n\n\\#hash.sh\n\\!bang.sh\nspace.sh   \n", map[string]bool{
		"#hash.sh": true, "!bang.sh": true, "space.sh": true, "# comment": false}},
	{"escaped trailing space", "trail\\ \n", map[string]bool{
		"trail ": true, "trail": false}},
	{"bracket expressions", "v[0-9].sh\n[!a]x.sh\n", map[string]bool{
		"v1.sh": true, "vy.sh": false, "bx.sh": true, "ax.sh": false}},
	{"CRLF lines", "a.sh\r\nb.sh\r\n", map[string]bool{
		"a.sh": true, "b.sh": true}},
}

func TestMatch(t *testing.T) {
	for _, c := range cases {
		f := Parse(".gitignore", []byte(c.gitignore))
		for p, want := range c.paths {
			isDir := strings.HasSuffix(p, "/")
			pat := f.Match(strings.TrimSuffix(p, "/"), isDir)
			if got := pat != nil && pat.Ignores(); got != want {
				t.Errorf("%s: %q ignored = %v, want %v", c.name, p, got, want)
			}
		}
	}
}

func TestMatchNamesTheLine(t *testing.T) {
	f := Parse("sub/.gitignore", []byte("# generated\n*.yaml\n!keep.yaml\n"))
	p := f.Match("x.yaml", false)
	if p == nil || p.Line != 2 || p.Text != "*.yaml" || !p.Ignores() {
		t.Fatalf("Match(x.yaml) = %+v, want line 2 *.yaml ignoring", p)
	}
	if p := f.Match("keep.yaml", false); p == nil || p.Line != 3 || p.Ignores() {
		t.Fatalf("Match(keep.yaml) = %+v, want the negation on line 3", p)
	}
}

// TestAgainstGit checks the table against git check-ignore itself, when
// git is installed: the table states git's behaviour, not ours.
func TestAgainstGit(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not installed")
	}
	for _, c := range cases {
		dir := t.TempDir()
		run := func(args ...string) (string, error) {
			cmd := exec.Command(git, args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
			out, err := cmd.Output()
			return string(out), err
		}
		if _, err := run("init", "-q"); err != nil {
			t.Fatalf("git init: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(c.gitignore), 0o644); err != nil {
			t.Fatal(err)
		}
		for p, want := range c.paths {
			full := filepath.Join(dir, filepath.FromSlash(p))
			if strings.HasSuffix(p, "/") {
				err = os.MkdirAll(full, 0o755)
			} else if err = os.MkdirAll(filepath.Dir(full), 0o755); err == nil {
				err = os.WriteFile(full, nil, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err := run("check-ignore", "-q", "--", strings.TrimSuffix(p, "/"))
			got := err == nil
			if got != want {
				t.Errorf("%s: git check-ignore %q = %v, table says %v", c.name, p, got, want)
			}
		}
	}
}
