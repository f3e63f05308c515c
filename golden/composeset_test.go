package golden

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/sirupsen/logrus"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/config"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/textpos"
)

// TestComposeSets runs the cases of testdata/composeset: a set of compose
// files judged together, as compose merges them. A case file's sections:
//
//	comment        a description naming the real files it is made from; a
//	               line "oracle: A B" loads "docker compose -f A -f B" with
//	               compose-go (default: the base and override compose
//	               finds by itself)
//	-- NAME --     the files of the tree, first; each one with a compose
//	               name is processed, as a directory walk would
//	-- output:NAME --   NAME's expected output; absent when it must stay
//	                    unchanged
//	-- findings:NAME -- NAME's findings, as in the other golden cases
//	-- error:NAME --    NAME's expected error
//
// Beyond the expectations, every case checks that rofix -w gives the same
// files whatever order it writes them in, that a second run changes
// nothing, and that compose-go's merge of the hardened set has every
// service read-only with a /tmp mount and no-new-privileges unless a
// finding about the service says why not.
func TestComposeSets(t *testing.T) {
	logrus.SetOutput(io.Discard)
	files, err := filepath.Glob(filepath.Join("testdata", "composeset", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) { runSetCase(t, file) })
	}
}

// resultSections are the prefixes of the expected sections of a set case.
var resultSections = []string{"output:", "findings:", "error:"}

func isResultSection(name string) bool {
	return slices.ContainsFunc(resultSections, func(p string) bool { return strings.HasPrefix(name, p) })
}

func runSetCase(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tree := map[string][]byte{}
	var inputs []txtar.File
	for _, f := range ar.Files {
		if isResultSection(f.Name) {
			break
		}
		inputs = append(inputs, f)
		tree[f.Name] = f.Data
	}
	var names []string // the files a walk processes, in its order
	for _, f := range inputs {
		if rewrite.IsComposeName(path.Base(f.Name)) {
			names = append(names, f.Name)
		}
	}
	sort.Strings(names)

	got := map[string][]byte{}
	results := map[string]*rewrite.Result{}
	for _, name := range names {
		res := processInTree(tree, name)
		results[name] = res
		x := textpos.New(res.Src)
		var findings, errText bytes.Buffer
		for _, f := range res.Findings {
			findings.WriteString(rewrite.FormatFinding(x, f) + "\n")
		}
		if res.Err != nil {
			errText.WriteString(rewrite.FormatError(x, res.Err) + "\n")
		}
		got["findings:"+name], got["error:"+name] = findings.Bytes(), errText.Bytes()
		if res.Changed() {
			got["output:"+name] = res.Out
		}
	}
	if *update {
		ar.Files = inputs
		for _, name := range names {
			for _, section := range resultSections {
				if len(got[section+name]) > 0 {
					ar.Files = append(ar.Files, txtar.File{Name: section + name, Data: got[section+name]})
				}
			}
		}
		if err := os.WriteFile(file, txtar.Format(ar), 0o666); err != nil {
			t.Fatal(err)
		}
	} else {
		want := map[string][]byte{}
		for _, f := range ar.Files[len(inputs):] {
			want[f.Name] = f.Data
		}
		for _, name := range names {
			for _, section := range resultSections {
				if !bytes.Equal(got[section+name], want[section+name]) {
					t.Errorf("%s%s differs:\n--- got\n%s\n--- want\n%s", section, name, got[section+name], want[section+name])
				}
			}
		}
	}

	// rofix -w plans each file on its own, reading the others as they are
	// on disk: written in any order, the set must end the same.
	hardened := maps(tree)
	for name, res := range results {
		hardened[name] = res.Out
	}
	for _, order := range [][]string{names, reversed(names)} {
		seq := maps(tree)
		for _, name := range order {
			seq[name] = processInTree(seq, name).Out
		}
		for _, name := range names {
			if !bytes.Equal(seq[name], hardened[name]) {
				t.Errorf("written in the order %v, %s differs from the plan:\n%s", order, name, seq[name])
			}
		}
	}
	for _, name := range names {
		if results[name].Err != nil {
			continue // refused, left as it is
		}
		if again := processInTree(hardened, name); again.Err != nil || again.Changed() {
			t.Errorf("second run on %s not idempotent: err=%v\n%s", name, again.Err, again.Out)
		}
	}
	checkSetOracle(t, string(ar.Comment), tree, hardened, results)
}

// processInTree hardens the file name of tree as the command line does,
// the other files readable through policy.Policy.ReadFile relative to its
// directory, with the .rofix.yaml of its directory if the tree has one.
func processInTree(tree map[string][]byte, name string) *rewrite.Result {
	pol := policy.Default()
	dir := path.Dir(name)
	pol.ReadFile = func(rel string) ([]byte, error) {
		p := path.Join(dir, rel)
		if path.IsAbs(rel) || p == ".." || strings.HasPrefix(p, "../") {
			return nil, errors.New("outside the tree")
		}
		if b, ok := tree[p]; ok {
			return b, nil
		}
		return nil, os.ErrNotExist
	}
	if src, ok := tree[path.Join(dir, config.FileName)]; ok {
		c, err := config.Parse(config.FileName, src)
		if err != nil {
			return &rewrite.Result{Name: name, Src: tree[name], Out: tree[name], Err: err}
		}
		pol = c.Apply(pol, false)
	}
	return rewrite.Process(name, tree[name], rewrite.Compose, pol)
}

func maps(m map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// checkSetOracle loads the set before and after hardening with compose-go,
// merged as "docker compose -f" merges the files the case's oracle: lines
// name (default: the base and override compose discovers), and checks
// every merged service as checkOracle does for one file.
func checkSetOracle(t *testing.T, comment string, before, after map[string][]byte, results map[string]*rewrite.Result) {
	t.Helper()
	var lists [][]string
	for _, line := range strings.Split(comment, "\n") {
		if files, ok := strings.CutPrefix(line, "oracle:"); ok {
			lists = append(lists, strings.Fields(files))
		}
	}
	if len(lists) == 0 {
		var list []string
		for _, names := range [][]string{
			{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"},
			{"compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml"},
		} {
			if i := slices.IndexFunc(names, func(n string) bool { return before[n] != nil }); i >= 0 {
				list = append(list, names[i])
			}
		}
		lists = append(lists, list)
	}
	// What the findings of every file say about each service.
	// A service no processed file holds (one of a file a walk does not
	// find) is accounted for by a finding about the whole file.
	reported := map[string]map[finding.Rule]bool{}
	seen := map[string]bool{}
	fileLevel := false
	for _, res := range results {
		for _, f := range res.Findings {
			if f.Subject != nil {
				seen[f.Subject.Name] = true
			}
			if f.Subject == nil && f.Rule == finding.Unsupported {
				fileLevel = true
			}
			if f.Fixed || f.Subject == nil {
				continue
			}
			if reported[f.Subject.Name] == nil {
				reported[f.Subject.Name] = map[finding.Rule]bool{}
			}
			reported[f.Subject.Name][f.Rule] = true
		}
	}
	for _, list := range lists {
		b, err := loadSet(t, before, list)
		if err != nil {
			t.Fatalf("compose-go rejects the input %v: %v", list, err)
		}
		a, err := loadSet(t, after, list)
		if err != nil {
			t.Fatalf("compose-go loads the input %v but not the output: %v", list, err)
		}
		for name, bs := range b.Services {
			as := a.Services[name]
			r := reported[name]
			skipped := r[finding.Unsupported] || r[finding.Directive] || !seen[name] && fileLevel
			if !as.ReadOnly && !r[finding.ReadOnly] && !skipped {
				t.Errorf("%v: merged service %s is not read-only and nothing says why", list, name)
			}
			if as.ReadOnly && !hasTmpMount(as) && !r[finding.Tmpfs] && !skipped {
				t.Errorf("%v: merged service %s is read-only without a /tmp mount", list, name)
			}
			if !slices.ContainsFunc(as.SecurityOpt, isNNP) && !r[finding.NoNewPrivileges] && !skipped {
				t.Errorf("%v: merged service %s has no no-new-privileges and nothing says why", list, name)
			}
			if bj, aj := stripHardening(bs, bs), stripHardening(bs, as); bj != aj {
				t.Errorf("%v: merged service %s changed beyond the hardening fields:\nbefore %s\nafter  %s", list, name, bj, aj)
			}
		}
	}
}

// loadSet writes tree to a directory and loads the files of list from it
// with compose-go, merged in order.
func loadSet(t *testing.T, tree map[string][]byte, list []string) (*types.Project, error) {
	dir := t.TempDir()
	for name, data := range tree {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	details := types.ConfigDetails{WorkingDir: dir, Environment: types.Mapping(oracleEnv)}
	for _, name := range list {
		details.ConfigFiles = append(details.ConfigFiles, types.ConfigFile{Filename: filepath.Join(dir, filepath.FromSlash(name)), Content: tree[name]})
	}
	return loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("oracle", true)
		o.SkipNormalization = true
		o.SkipConsistencyCheck = true
		o.SkipResolveEnvironment = true
		o.ResolvePaths = false
	})
}
