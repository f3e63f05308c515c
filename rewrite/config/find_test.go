package config

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rofix/rofix/rewrite/policy"
)

// tree creates files under a new temporary directory: a name ending in "/"
// is a directory; others get their content.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if name[len(name)-1] == '/' {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func newFinder(t *testing.T, explicit string) *Finder {
	t.Helper()
	f, err := NewFinder(policy.Default(), false, explicit)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

const binds = "ro-mounts: binds\n"

func TestDiscovery(t *testing.T) {
	root := tree(t, map[string]string{
		"repo/.git/":                    "",
		"repo/.rofix.yaml":              binds,
		"repo/compose.yaml":             "",
		"repo/a/b/compose.yaml":         "",
		"repo/svc/.rofix.yaml":          "ro-mounts: off\n",
		"repo/svc/deep/er/run.sh":       "",
		"outer/.rofix.yaml":             binds,
		"outer/sub/.git":                "gitdir: /elsewhere\n", // a worktree
		"outer/sub/x/compose.yaml":      "",
		"outer/nested/repo/.git/":       "",
		"outer/nested/repo/compose.yml": "",
		"norepo/.rofix.yaml":            binds,
		"norepo/a/b/c/compose.yaml":     "",
	})
	f := newFinder(t, "")
	tests := []struct {
		file, want string // want: the governing config, relative to root ("" none)
	}{
		{"repo/compose.yaml", "repo/.rofix.yaml"},             // the file's own directory
		{"repo/a/b/compose.yaml", "repo/.rofix.yaml"},         // the nearest parent
		{"repo/svc/deep/er/run.sh", "repo/svc/.rofix.yaml"},   // nearest wins over farther
		{"outer/sub/x/compose.yaml", ""},                      // .git file: the root of a worktree
		{"outer/nested/repo/compose.yml", ""},                 // the repository root is the boundary
		{"norepo/a/b/c/compose.yaml", "norepo/.rofix.yaml"},   // outside a repository: up to /
		{"repo/missing/dir/compose.yaml", "repo/.rofix.yaml"}, // stdin names need not exist
	}
	for _, tt := range tests {
		g := f.For(filepath.Join(root, tt.file))
		if g.Err != nil {
			t.Errorf("%s: %v", tt.file, g.Err)
			continue
		}
		want := ""
		if tt.want != "" {
			want = filepath.Join(root, tt.want)
		}
		if g.Path != want {
			t.Errorf("%s is governed by %q, want %q", tt.file, g.Path, want)
		}
		if (g.Config == nil) != (want == "") {
			t.Errorf("%s: config %v for path %q", tt.file, g.Config, g.Path)
		}
	}
	if g := f.For(filepath.Join(root, "repo/compose.yaml")); g.Policy.ROMounts != policy.ROMountsBinds {
		t.Errorf("the config's ro-mounts is not in the file's policy: %v", g.Policy.ROMounts)
	}
	if g := f.For(filepath.Join(root, "outer/sub/x/compose.yaml")); g.Policy.ROMounts != policy.ROMountsAuto || g.Policy.Off != nil {
		t.Errorf("without a config the policy is not the base: %+v", g.Policy)
	}
}

// TestDiscoveryCache: each directory is looked at once and each config
// file read once: after the first lookup, removing the config changes
// nothing for the files of any directory already seen, nor for a new
// directory whose parent was seen.
func TestDiscoveryCache(t *testing.T) {
	root := tree(t, map[string]string{
		".git/":          "",
		".rofix.yaml":    binds,
		"a/compose.yaml": "",
		"b/compose.yaml": "",
	})
	f := newFinder(t, "")
	first := f.For(filepath.Join(root, "a/compose.yaml"))
	if first.Config == nil {
		t.Fatal("no config found")
	}
	if err := os.Remove(filepath.Join(root, ".rofix.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"a/compose.yaml", "a/other.sh", "b/compose.yaml"} {
		if g := f.For(filepath.Join(root, file)); g != first {
			t.Errorf("%s: got %+v, want the cached config", file, g)
		}
	}
	// A new Finder (a new run) sees the file is gone.
	if g := newFinder(t, "").For(filepath.Join(root, "a/compose.yaml")); g.Config != nil {
		t.Errorf("a new run still finds the removed config")
	}
}

// TestDiscoveryConcurrent: the CLI asks from every worker at once; every
// caller gets the one loaded config (run with -race).
func TestDiscoveryConcurrent(t *testing.T) {
	root := tree(t, map[string]string{".git/": "", ".rofix.yaml": binds})
	f := newFinder(t, "")
	var wg sync.WaitGroup
	got := make([]*Governing, 64)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = f.For(filepath.Join(root, "d"+string(rune('a'+i%8)), "compose.yaml"))
		}()
	}
	wg.Wait()
	for i, g := range got {
		if g != got[0] || g.Config == nil {
			t.Fatalf("caller %d got %+v, caller 0 %+v", i, g, got[0])
		}
	}
}

func TestExplicitConfig(t *testing.T) {
	root := tree(t, map[string]string{
		"repo/.git/":         "",
		"repo/.rofix.yaml":   "ro-mounts: off\n",
		"repo/compose.yaml":  "",
		"elsewhere/cfg.yaml": binds,
		"bad.yaml":           "rules:\n  tmpfss: false\n",
	})
	explicit := filepath.Join(root, "elsewhere/cfg.yaml")
	f := newFinder(t, explicit)
	for _, file := range []string{"repo/compose.yaml", "other/run.sh"} {
		g := f.For(filepath.Join(root, file))
		if g.Path != explicit || g.Policy.ROMounts != policy.ROMountsBinds {
			t.Errorf("%s: governed by %q (ro-mounts %v), want --config %q", file, g.Path, g.Policy.ROMounts, explicit)
		}
	}
	bad := filepath.Join(root, "bad.yaml")
	if _, err := NewFinder(policy.Default(), false, bad); err == nil || err.Error() != bad+`:2:3: unknown rule "tmpfss" in rules (rules: read-only, tmpfs, no-new-privileges, ro-mounts, cap-drop, non-root)` {
		t.Errorf("bad --config: %v", err)
	}
	missing := filepath.Join(root, "nope.yaml")
	if _, err := NewFinder(policy.Default(), false, missing); err == nil || err.Error() != missing+": no such file or directory" {
		t.Errorf("missing --config: %v", err)
	}
}

// TestBadDiscoveredConfig: a bad config governs its files with an error
// naming it; files elsewhere are not affected.
func TestBadDiscoveredConfig(t *testing.T) {
	root := tree(t, map[string]string{
		"bad/.git/":        "",
		"bad/.rofix.yaml":  "images:\n  - match: [x]\n    tmpfss: [/a]\n",
		"good/.git/":       "",
		"good/.rofix.yaml": binds,
	})
	f := newFinder(t, "")
	g := f.For(filepath.Join(root, "bad/sub/compose.yaml"))
	want := filepath.Join(root, "bad/.rofix.yaml") + `:3:5: unknown key "tmpfss" in images[0] (known: name, match, from, unset, user, caps, run_as, needs_root, tmpfs, volumes, image_volumes, optional_volumes, no_tmpfs, env, verdict, checks, conditions, traits, confidence, sources)`
	if g.Err == nil || g.Err.Error() != want {
		t.Errorf("bad config: %v, want %s", g.Err, want)
	}
	if g := f.For(filepath.Join(root, "good/compose.yaml")); g.Err != nil || g.Config == nil {
		t.Errorf("good config: %+v", g)
	}
}

// TestDisplayPath: a config under the working directory is named relative
// to it, as the files rofix prints are.
func TestDisplayPath(t *testing.T) {
	root := tree(t, map[string]string{".git/": "", "sub/.rofix.yaml": "rules:\n  tmpfs: maybe\n"})
	t.Chdir(root)
	g := newFinder(t, "").For("sub/compose.yaml")
	if g.Path != "sub/.rofix.yaml" || g.Err == nil || g.Err.Error() != `sub/.rofix.yaml:2:10: rules.tmpfs must be true or false, not "maybe"` {
		t.Errorf("path %q, error %v", g.Path, g.Err)
	}
}
