package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/policy"
)

// sharedCorpus returns a folder of the shared corpus (kubernetes,
// embedded/...), next to the compose corpus: beside $ROFIX_CORPUS when it
// is set, else at ../shared/corpus from the repository root. It skips the
// test when the folder is absent.
func sharedCorpus(t *testing.T, name string) string {
	t.Helper()
	root := filepath.Join("..", "..", "shared", "corpus")
	if env := os.Getenv("ROFIX_CORPUS"); env != "" {
		root = filepath.Dir(env)
	}
	return corpusFolder(t, filepath.Join(root, name), name)
}

// corpusFolder returns dir made absolute, or skips the test when it is not
// a directory; name is the folder's place in ../shared/corpus.
func corpusFolder(t *testing.T, dir, name string) string {
	t.Helper()
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Skipf("corpus not found at %s (it lives next to the repository, at ../shared/corpus/%s): skipping", dir, name)
	}
	return dir
}

// TestKubeCorpus runs the Kubernetes engine over every manifest of the
// shared corpus, under every --ro-mounts policy: no panic; the input is
// taken as a manifest; a parseable input gives a parseable output that a
// second pass leaves unchanged; a refused input is left untouched.
func TestKubeCorpus(t *testing.T) {
	dir := sharedCorpus(t, "kubernetes")
	files := corpusFiles(t, dir)
	for _, mode := range []policy.ROMounts{policy.ROMountsAuto, policy.ROMountsBinds, policy.ROMountsOff} {
		pol := policy.Default()
		pol.ROMounts = mode
		var manifests, changed, errs int
		for _, path := range files {
			rel, _ := filepath.Rel(dir, path)
			if strings.HasSuffix(rel, ".md") {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			kind := rewrite.DetectKind(rel, src, false)
			if kind != rewrite.Kube {
				t.Errorf("%s: detected as %v, not kube", rel, kind)
				continue
			}
			manifests++
			res := rewrite.Process(rel, src, kind, pol)
			if res.Err != nil {
				errs++
				if !bytes.Equal(res.Out, src) {
					t.Errorf("%s: error %v but the output differs from the input", rel, res.Err)
				}
				if strings.Contains(res.Err.Error(), "verification failed") || yamlParses(src) && !strings.Contains(res.Err.Error(), "duplicate key") {
					t.Errorf("%s (%v): %v", rel, mode, res.Err)
				}
				continue
			}
			if res.NotCompose {
				t.Errorf("%s: not taken as a manifest", rel)
				continue
			}
			if res.Changed() {
				changed++
				if !yamlParses(res.Out) {
					t.Errorf("%s (%v): the output does not parse", rel, mode)
				}
			}
			again := rewrite.Process(rel, res.Out, kind, pol)
			if again.Err != nil || again.Changed() {
				t.Errorf("%s (%v): second pass not idempotent: err=%v", rel, mode, again.Err)
			}
			for _, f := range again.Findings {
				if f.Fixed {
					t.Errorf("%s (%v): second pass still fixes: %s", rel, mode, f.Message)
				}
			}
		}
		t.Logf("kubernetes --ro-mounts=%v: %d manifests, %d changed, %d reported errors", mode, manifests, changed, errs)
	}
}
