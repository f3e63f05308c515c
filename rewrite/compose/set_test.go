package compose

import (
	"os"
	"reflect"
	"slices"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// TestSetMembers pins which files compose merges with the one planned: the
// base and override it picks by itself, the base for a file beside it.
func TestSetMembers(t *testing.T) {
	for _, c := range []struct {
		tree           []string
		file           string
		earlier, later string // the other file merged before or after, "" none
		always         bool   // compose merges them without -f
	}{
		{tree: []string{"compose.yaml", "compose.override.yaml"}, file: "compose.yaml", later: "compose.override.yaml", always: true},
		{tree: []string{"compose.yaml", "compose.override.yaml"}, file: "compose.override.yaml", earlier: "compose.yaml", always: true},
		{tree: []string{"compose.yaml", "docker-compose.override.yml"}, file: "compose.yaml", later: "docker-compose.override.yml", always: true},
		// compose prefers compose.yaml: docker-compose.yml is read alone.
		{tree: []string{"compose.yaml", "docker-compose.yml", "docker-compose.override.yml"}, file: "docker-compose.yml"},
		{tree: []string{"compose.yaml", "docker-compose.yml", "docker-compose.override.yml"}, file: "docker-compose.override.yml", earlier: "compose.yaml", always: true},
		// compose prefers compose.override.yml: the .yaml one is an -f file.
		{tree: []string{"compose.yaml", "compose.override.yml", "compose.override.yaml"}, file: "compose.override.yaml", earlier: "compose.yaml"},
		{tree: []string{"compose.yaml", "compose.prod.yaml"}, file: "compose.prod.yaml", earlier: "compose.yaml"},
		{tree: []string{"docker-compose.yml", "docker-compose.test.yml"}, file: "docker-compose.yml"},
		{tree: []string{"compose.override.yaml"}, file: "compose.override.yaml"},
		{tree: []string{"compose.yaml", "stack.yml"}, file: "stack.yml"},
		{tree: []string{"compose.yaml", "compose.override.yaml"}, file: ""},
	} {
		pol := policy.Default()
		pol.ReadFile = func(rel string) ([]byte, error) {
			if slices.Contains(c.tree, rel) && rel != c.file {
				return []byte("services:\n  web:\n    image: nginx\n"), nil
			}
			return nil, os.ErrNotExist
		}
		p := &planner{pol: pol, foreign: map[*yaml.Node]string{}}
		p.loadSet(c.file)
		earlier, always := member(p.set.earlier)
		later, laterAlways := member(p.set.later)
		if earlier != c.earlier || later != c.later || (always || laterAlways) != c.always {
			t.Errorf("%v, %q: earlier %q, later %q, always %v; want %q, %q, %v", c.tree, c.file, earlier, later, always || laterAlways, c.earlier, c.later, c.always)
		}
	}
}

// member returns the file of the one layer map in ls, if any.
func member(ls []map[string]layer) (string, bool) {
	for _, m := range ls {
		for _, l := range m {
			return l.file, l.always
		}
	}
	return "", false
}

// TestSetCache: the files of a set share one parse of each member through
// policy.Cache, and planning them with it, at once, gives the plans
// planning them alone gives (run with -race: a shared member is only
// read).
func TestSetCache(t *testing.T) {
	tree := map[string]string{
		"compose.yaml":          "services:\n  web:\n    image: nginx\n    volumes:\n      - ./conf:/etc/nginx/conf.d\n  db:\n    image: postgres\n",
		"compose.override.yaml": "services:\n  web:\n    read_only: false # rofix:ignore\n  worker:\n    image: busybox\n",
		"compose.prod.yaml":     "services:\n  web:\n    environment:\n      A: b\n  cron:\n    image: alpine\n",
		"compose.test.yaml":     "services:\n  db:\n    tmpfs: [/run]\n",
	}
	read := func(rel string) ([]byte, error) {
		if src, ok := tree[rel]; ok {
			return []byte(src), nil
		}
		return nil, os.ErrNotExist
	}
	plan := func(name string, cache *policy.Cache) *finding.Plan {
		pol := policy.Default()
		pol.ReadFile, pol.Cache = read, cache
		p, err := PlanFile(name, []byte(tree[name]), pol)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p.Verify = nil
		return p
	}
	cache := policy.NewCache(1 << 20)
	var wg sync.WaitGroup
	for name := range tree {
		want := plan(name, nil)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if got := plan(name, cache); !reflect.DeepEqual(got, want) {
					t.Errorf("%s with a shared cache:\n%+v\nwant\n%+v", name, got, want)
				}
			}()
		}
	}
	wg.Wait()

	pol := policy.Default()
	pol.Cache = cache
	a := &planner{pol: pol, foreign: map[*yaml.Node]string{}}
	b := &planner{pol: pol, foreign: map[*yaml.Node]string{}}
	sa, servicesA := a.servicesOf("compose.yaml", []byte(tree["compose.yaml"]))
	sb, servicesB := b.servicesOf("compose.yaml", []byte(tree["compose.yaml"]))
	if sa == nil || sa != sb || servicesA != servicesB {
		t.Errorf("the same content read twice: parsed twice (%p, %p), want one shared parse", sa, sb)
	}
	if b.foreign[servicesB] != "compose.yaml" {
		t.Errorf("a member from the cache: its nodes are not marked as the file's")
	}
}
