package e2e

import (
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

// composeSides copies a compose fixture (testdata/compose/DIR/FILE) twice,
// hardens one copy with rofix and returns the projects of both. A rofix
// error is returned, not fatal, so that the original side still runs.
func (h *harness) composeSides(t *testing.T, ep *endpoint, dir, file string) (orig, hard composeProject, hardened string, err error) {
	t.Helper()
	root := t.TempDir()
	src := "compose/" + dir + "/" + file
	ow := newWorkspace(t, root, "original", src)
	hw := newWorkspace(t, root, "hardened", src)
	hardened, err = h.harden(t.Context(), filepath.Join(hw.dir, file))
	if err == nil {
		t.Logf("rofix -w %s:\n%s", file, hardened)
	}
	return h.newProject(t, ep, ow, file, dir+ep.name+"o"), h.newProject(t, ep, hw, file, dir+ep.name+"h"), hardened, err
}

// TestCompose brings up each service of the compose fixtures as written and
// after `rofix -w`, and compares what its container can do.
func TestCompose(t *testing.T) {
	h := need(t)
	type service struct {
		name   string
		checks []check
	}
	fixtures := []struct {
		dir, file string
		services  []service
	}{
		{"basic", "compose.yaml", []service{
			{"app", nonRoot(ro("conf"), rw("data"))},
			{"admin", asRoot(ro("sock"), rw("data"))},
		}},
		{"legacy", "docker-compose.yml", []service{
			{"web", nonRoot(ro("conf"), ro("pem"), rw("state"), rw("data"), rw("run"))},
		}},
		{"tmp", "compose.yaml", []service{
			{"volume", asRoot()},
			{"options", asRoot(ro("conf"))},
			{"long", asRoot(ro("conf"))},
		}},
	}
	for _, ep := range h.endpoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel() // the engines are independent
			for _, f := range fixtures {
				t.Run(f.dir, func(t *testing.T) {
					po, ph, _, herr := h.composeSides(t, ep, f.dir, f.file)
					for _, s := range f.services {
						t.Run(s.name, func(t *testing.T) {
							o := po.up(t, s.name)
							o.mustComplete(t, "original")
							assertSide(t, "original", o, s.checks)
							if herr != nil {
								t.Fatal(herr)
							}
							r := ph.up(t, s.name)
							r.mustComplete(t, "hardened")
							assertSide(t, "hardened", r, s.checks)
						})
					}
				})
			}
		})
	}
}

// TestComposeCache is TestShellCache for compose: the /var/cache/app image
// crashes with a read-only root and only /tmp, and starts with a tmpfs
// there, added by hand.
func TestComposeCache(t *testing.T) {
	h := need(t)
	for _, ep := range h.endpoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel() // the engines are independent
			po, ph, hardened, herr := h.composeSides(t, ep, "cache", "compose.yaml")
			t.Run("without-tmpfs", func(t *testing.T) {
				o := po.up(t, "cache")
				o.mustComplete(t, "original")
				assertSide(t, "original", o, []check{{"cache", "ok", ""}})
				if herr != nil {
					t.Fatal(herr)
				}
				// compose up --exit-code-from keeps the exit status on
				// every engine.
				assertCacheOutcome(t, &endpoint{name: ep.name},
					serviceText(t, hardened, "cache"), ph.up(t, "cache"))
			})
			t.Run("with-tmpfs", func(t *testing.T) {
				checks := asRoot(rw("cache"))
				o := po.up(t, "cache-tmpfs")
				o.mustComplete(t, "original")
				assertSide(t, "original", o, checks)
				if herr != nil {
					t.Fatal(herr)
				}
				r := ph.up(t, "cache-tmpfs")
				r.mustComplete(t, "hardened")
				assertSide(t, "hardened", r, checks)
			})
		})
	}
}

// serviceText returns the YAML of one service of a compose file, so that
// assertCacheOutcome looks at that service alone.
func serviceText(t *testing.T, compose, service string) string {
	t.Helper()
	var doc struct {
		Services map[string]yaml.Node `yaml:"services"`
	}
	if err := yaml.Unmarshal([]byte(compose), &doc); err != nil {
		t.Fatalf("the hardened compose file is not YAML: %v\n%s", err, compose)
	}
	node, ok := doc.Services[service]
	if !ok {
		t.Fatalf("the hardened compose file lost service %s\n%s", service, compose)
	}
	b, err := yaml.Marshal(&node)
	must(t, err)
	return string(b)
}
