package pick

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/rofix/rofix/bench/internal/gen"
	"github.com/rofix/rofix/rewrite"
)

// TestMatchesRofix checks, on one replica of the benchmark tree, that the
// floors select exactly the files rofix's rules select, and that the tree
// holds what the generator says.
func TestMatchesRofix(t *testing.T) {
	corpus, err := gen.LoadCorpus("/work/shared/corpus/compose")
	if err != nil {
		t.Skipf("no compose corpus: %v", err)
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
			if path != root && SkipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		got := rewrite.Unknown
		switch Entry(d) {
		case Compose:
			got = rewrite.Compose
		case Shell:
			got = rewrite.Shell
		case IfShebang:
			if ShellShebang(src) {
				got = rewrite.Shell
			}
		}
		want := rewrite.DetectKind(path, src, false)
		if filepath.Ext(path) != "" && want == rewrite.Shell && !rewrite.IsShellName(d.Name()) {
			want = rewrite.Unknown // a shebang is only read from files without an extension
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
