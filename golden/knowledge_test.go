package golden

import (
	"fmt"
	"io/fs"
	"path"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/rofix/rofix/rewrite/policy"
)

// caseTree reads the sections that follow a case's input and come before
// its expectations: "images.yaml" holds image entries the case adds to the
// built-in table (replacing built-in entries of the same name or pattern),
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
		k, err := policy.ParseTable(f.Data) // the table's form: from:, ranges, checks, evidence
		if err != nil {
			return nil, fmt.Errorf("images.yaml: %v", err)
		}
		pol.Images = pol.Images.With(k.Entries) // they override built-in entries of the same name or pattern
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
