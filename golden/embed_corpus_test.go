package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// embeddedKinds maps the folders of the embedded corpus to the kind of
// their files (the files are renamed owner__repo__path, so their names do
// not tell).
var embeddedKinds = map[string]rewrite.Kind{
	"makefile":       rewrite.Makefile,
	"github-actions": rewrite.Workflow,
	"gitlab-ci":      rewrite.GitLab,
	"markdown":       rewrite.Markdown,
	"systemd":        rewrite.Service,
}

// TestEmbeddedCorpus runs the embedded-command engines over the shared
// corpus of Makefiles, workflows, GitLab CI files, Markdown and systemd
// units: no error on files the host format accepts, verification passes,
// the output is idempotent, only run commands change (every edited line
// held an engine's name), and YAML hosts still parse; with the opt-in
// rules cap-drop and non-root off (the default) and on.
func TestEmbeddedCorpus(t *testing.T) {
	dir := sharedCorpus(t, "embedded")
	optIn := policy.Default()
	optIn.On = finding.OptInRules()
	for _, pol := range []policy.Policy{policy.Default(), optIn} {
		embeddedCorpus(t, dir, pol)
	}
}

func embeddedCorpus(t *testing.T, dir string, pol policy.Policy) {
	for folder, kind := range embeddedKinds {
		files, changed, commands, optFixed := 0, 0, 0, 0
		for _, path := range corpusFiles(t, filepath.Join(dir, folder)) {
			rel, _ := filepath.Rel(dir, path)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files++
			res := rewrite.Process(rel, src, kind, pol)
			if res.Err != nil {
				t.Errorf("%s: %v", rel, res.Err)
				continue
			}
			if !res.Changed() {
				continue
			}
			changed++
			for _, e := range res.Edits {
				lineStart := bytes.LastIndexByte(src[:e.Start], '\n') + 1
				lineEnd := bytes.IndexByte(src[e.Start:], '\n')
				if lineEnd < 0 {
					lineEnd = len(src) - e.Start
				}
				// The edit sits in a command: its line, or one of the few
				// lines before it (a continued command), names an engine.
				ctx := string(src[max(0, lineStart-2000) : e.Start+lineEnd])
				if !strings.Contains(ctx, "docker") && !strings.Contains(ctx, "podman") && !strings.Contains(ctx, "nerdctl") && !strings.Contains(ctx, "DOCKER") {
					t.Errorf("%s: an edit at byte %d is not in a run command", rel, e.Start)
				}
			}
			for _, f := range res.Findings {
				if f.Fixed && f.Rule == "read-only" {
					commands++
				}
				if f.Fixed && (f.Rule == finding.CapDrop || f.Rule == finding.NonRoot) {
					optFixed++
				}
			}
			if (kind == rewrite.Workflow || kind == rewrite.GitLab) && !yamlParses(res.Out) {
				t.Errorf("%s: the output does not parse as YAML", rel)
			}
			again := rewrite.Process(rel, res.Out, kind, pol)
			if again.Err != nil || again.Changed() {
				t.Errorf("%s: second pass not idempotent: err=%v", rel, again.Err)
			}
		}
		t.Logf("embedded %s (opt-in %v): %d files, %d changed, %d commands made read-only, %d cap-drop/non-root edits", folder, pol.On, files, changed, commands, optFixed)
	}
}
