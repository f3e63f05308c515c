package pick_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rofix/rofix/bench/internal/gen"
	"github.com/rofix/rofix/bench/internal/pick"
	"github.com/rofix/rofix/rewrite"
)

// TestMatchesRofix checks, on one replica of the benchmark tree, that the
// floors select exactly the files rofix's rules select, and that the tree
// holds what the generator says.
func TestMatchesRofix(t *testing.T) {
	corpus, err := gen.LoadCorpus(corpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(corpus) > 20 {
		corpus = corpus[:20]
	}
	root := t.TempDir()
	counts, err := gen.Tree(root, corpus, 1)
	if err != nil {
		t.Fatal(err)
	}
	var compose, shell int
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && pick.SkipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		got := rewrite.Unknown
		switch pick.Entry(d) {
		case pick.Compose:
			got = rewrite.Compose
		case pick.Shell:
			got = rewrite.Shell
		case pick.IfShebang:
			if pick.ShellShebang(src) {
				got = rewrite.Shell
			}
		}
		want := rewrite.DetectKind(path, src, false)
		if filepath.Ext(path) != "" && want == rewrite.Shell && !rewrite.IsShellName(d.Name()) {
			want = rewrite.Unknown // a shebang is only read from files without an extension
		}
		if want != rewrite.Compose && want != rewrite.Shell {
			want = rewrite.Unknown // the floors measure compose files and scripts only
		}
		if got != want {
			t.Errorf("%s: floor selects %v, rofix %v", path, got, want)
		}
		switch got {
		case rewrite.Compose:
			compose++
		case rewrite.Shell:
			shell++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if compose != counts.Compose || shell != counts.Shell {
		t.Errorf("selected %d compose and %d shell, generator wrote %d and %d", compose, shell, counts.Compose, counts.Shell)
	}
}

// corpusDir returns the compose corpus (ROFIX_CORPUS, or
// ../shared/corpus/compose next to the repository), or a small stand-in written to a temporary
// folder when there is none, so that the test always runs.
func corpusDir(t *testing.T) string {
	for _, dir := range []string{os.Getenv("ROFIX_CORPUS"), filepath.Join("..", "..", "..", "..", "shared", "corpus", "compose")} {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "SOURCES.tsv")); err == nil {
			return dir
		}
	}
	dir := t.TempDir()
	files := map[string]string{
		"a__b/compose.yaml":              "services:\n  web:\n    image: nginx\n",
		"a__b/tests__docker-compose.yml": "services:\n  db:\n    image: postgres\n",
		"c__d/deploy__stack.yml":         "services:\n  app:\n    image: app\n    volumes: [\"./a:/a\"]\n",
	}
	sources := "local_path\trepository\tcommit\toriginal_path\tlicence\n"
	for local, data := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(local)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, local), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		orig := strings.ReplaceAll(filepath.Base(local), "__", "/")
		sources += local + "\tx/y\t0\t" + orig + "\tMIT\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "SOURCES.tsv"), []byte(sources), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
