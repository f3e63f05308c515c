package golden

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"
	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/policy"
)

// caseTree reads the sections that follow a case's input and come before
// its expectations: "images.yaml" holds the image entries the case knows,
// any other section is a file of the tree (a Dockerfile) that pol.ReadFile
// serves. It returns those sections, kept as they are by -update.
func caseTree(pol *policy.Policy, files []txtar.File) ([]txtar.File, error) {
	var kept []txtar.File
	tree := map[string][]byte{}
	for _, f := range files {
		if f.Name == "output" || f.Name == "findings" || f.Name == "error" {
			break
		}
		kept = append(kept, f)
		if f.Name != "images.yaml" {
			tree[path.Clean(f.Name)] = f.Data
			continue
		}
		var entries []*policy.ImageEntry
		if err := yaml.Unmarshal(f.Data, &entries); err != nil {
			return nil, fmt.Errorf("images.yaml: %v", err)
		}
		pol.Lookup = caseLookup(entries)
	}
	if len(tree) > 0 {
		pol.ReadFile = func(rel string) ([]byte, error) {
			if data, ok := tree[path.Clean(rel)]; ok {
				return data, nil
			}
			return nil, fs.ErrNotExist
		}
	}
	return kept, nil
}

// caseLookup answers NeedsFor from a case's own entries: an exact match of
// the reference without registry docker.io, "library/", tag and digest, or
// of a pattern ending in "*". It stands for the built-in table's Lookup so
// that each case states the knowledge it exercises.
func caseLookup(entries []*policy.ImageEntry) func(service, image string) policy.Needs {
	return func(service, image string) policy.Needs {
		n := policy.Needs{Image: image, Tmpfs: []string{"/tmp"}, Verdict: policy.Works}
		ref := normalize(image)
		for _, e := range entries {
			if !matches(e.Match, ref) {
				continue
			}
			n.Entries = append(n.Entries, e)
			n.Tmpfs = append(n.Tmpfs, e.Tmpfs...)
			for _, t := range e.Traits {
				switch t {
				case "s6":
					n.Tmpfs = append(n.Tmpfs, "/run:exec")
				case "jvm":
					n.Tmpfs = append(n.Tmpfs, "/tmp:exec")
				}
			}
			n.Volumes = append(n.Volumes, e.Volumes...)
			n.NoTmpfs = append(n.NoTmpfs, e.NoTmpfs...)
			n.Env = append(n.Env, e.Env...)
			if e.Verdict == policy.DoesNotWork || e.Verdict == policy.WorksWithConditions && n.Verdict == policy.Works {
				n.Verdict = e.Verdict
			}
			break
		}
		return n
	}
}

func normalize(ref string) string {
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		ref = ref[:i]
	}
	for _, p := range []string{"docker.io/", "library/"} {
		ref = strings.TrimPrefix(ref, p)
	}
	return ref
}

func matches(patterns []string, ref string) bool {
	for _, p := range patterns {
		if p == ref || strings.HasSuffix(p, "*") && strings.HasPrefix(ref, strings.TrimSuffix(p, "*")) {
			return true
		}
	}
	return false
}
