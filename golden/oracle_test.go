package golden

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
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
)

// oracleEnv is the fixed environment interpolation runs with: compose-go
// must interpolate (with interpolation off it rejects "${RO:-true}" as a
// boolean and panics on some external: values), and a fixed map keeps the
// comparison independent of the machine.
var oracleEnv = map[string]string{"COMPOSE_PROJECT_NAME": "oracle", "HOME": "/home/oracle"}

// loadProject loads one compose file's content with compose-go, the library
// docker compose uses, the way docker compose would but without touching
// the environment or normalising paths.
func loadProject(dir, name string, src []byte) (*types.Project, error) {
	details := types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, name), Content: src}},
		Environment: types.Mapping(oracleEnv),
	}
	return loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("oracle", true)
		o.SkipNormalization = true
		o.SkipConsistencyCheck = true
		o.SkipResolveEnvironment = true
		o.SkipResolveLabels = true
		o.ResolvePaths = false
	})
}

// oracleStats counts what the oracle saw.
type oracleStats struct{ files, loadedBefore, loadedAfter, services int }

// checkOracle loads a file before and after hardening and compares every
// service: read_only, a /tmp mount when read-only and no-new-privileges
// must be there unless the engine reported why not, and once those fields
// (and the volumes' read_only flags) are taken out both services must be
// identical.
func checkOracle(t *testing.T, st *oracleStats, dir, name string, src []byte, pol policy.Policy) {
	t.Helper()
	st.files++
	before, err := loadProject(dir, name, src)
	if err != nil {
		return // compose itself rejects the input: nothing to compare
	}
	st.loadedBefore++
	res := rewrite.Process(name, src, rewrite.Compose, pol)
	if res.Err != nil {
		t.Errorf("%s: compose-go loads it but rofix refuses: %v", name, res.Err)
		return
	}
	after, err := loadProject(dir, name, res.Out)
	if err != nil {
		t.Errorf("%s: compose-go loads the input but not the output: %v", name, err)
		return
	}
	st.loadedAfter++
	reported := map[finding.Rule]bool{}
	for _, f := range res.Findings {
		if !f.Fixed {
			reported[f.Rule] = true
		}
	}
	alone := aloneServices(res.Findings)
	skippedFile := reported[finding.Directive] || reported[finding.Unsupported]
	for svcName, b := range before.Services {
		a, ok := after.Services[svcName]
		if !ok {
			t.Errorf("%s: service %s lost", name, svcName)
			continue
		}
		st.services++
		skipped := skippedFile || alone[svcName]
		if !a.ReadOnly && !reported[finding.ReadOnly] && !skipped {
			t.Errorf("%s: service %s is not read-only and nothing says why", name, svcName)
		}
		if a.ReadOnly && !hasTmpMount(a) && !reported[finding.Tmpfs] && !skipped {
			t.Errorf("%s: service %s is read-only without a /tmp mount", name, svcName)
		}
		if !slices.ContainsFunc(a.SecurityOpt, isNNP) && !reported[finding.NoNewPrivileges] && !skipped {
			t.Errorf("%s: service %s has no no-new-privileges and nothing says why", name, svcName)
		}
		// The opt-in rules, when on: every capability dropped, and a
		// non-root user, unless a finding says why not.
		if pol.RuleOn(finding.CapDrop) && !slices.ContainsFunc(a.CapDrop, isAll) && !reported[finding.CapDrop] && !skipped {
			t.Errorf("%s: service %s does not drop ALL capabilities (cap_drop %q) and nothing says why", name, svcName, a.CapDrop)
		}
		if pol.RuleOn(finding.NonRoot) && policy.IsRootUser(a.User) && !reported[finding.NonRoot] && !skipped {
			t.Errorf("%s: service %s runs as root (user %q) and nothing says why", name, svcName, a.User)
		}
		bj, aj := stripHardening(b, b), stripHardening(b, a)
		if bj != aj {
			t.Errorf("%s: service %s changed beyond the hardening fields:\nbefore %s\nafter  %s", name, svcName, bj, aj)
		}
	}
	if len(after.Services) != len(before.Services) {
		t.Errorf("%s: %d services after, %d before", name, len(after.Services), len(before.Services))
	}
}

func isNNP(opt string) bool { return policy.NoNewPrivileges(opt) == policy.On }

func isAll(capability string) bool { name, _ := policy.CapName(capability); return name == "ALL" }

func hasTmpMount(s types.ServiceConfig) bool {
	for _, e := range s.Tmpfs {
		if strings.TrimRight(policy.TmpfsTarget(e), "/") == "/tmp" {
			return true
		}
	}
	for _, v := range s.Volumes {
		if strings.TrimRight(v.Target, "/") == "/tmp" {
			return true
		}
	}
	return false
}

// stripHardening returns s as JSON without what rofix may change: read_only,
// the tmpfs entries s has and orig lacks (/tmp and the paths the image
// writes), the no-new-privileges entry it adds to security_opt, the
// volumes' read_only flags, and cap_drop, cap_add and user where orig has
// none.
func stripHardening(orig, s types.ServiceConfig) string {
	s.ReadOnly = false
	s.Tmpfs = added(orig.Tmpfs, s.Tmpfs, func(string) bool { return true }) // /tmp and the image's paths
	s.SecurityOpt = added(orig.SecurityOpt, s.SecurityOpt, isNNP)
	// cap_drop, cap_add and user are added only where the service has
	// none of them (the opt-in rules cap-drop and non-root).
	if len(orig.CapDrop) == 0 && len(orig.CapAdd) == 0 {
		s.CapDrop, s.CapAdd = nil, nil
	}
	if orig.User == "" {
		s.User = ""
	}
	vols := make([]types.ServiceVolumeConfig, len(s.Volumes))
	for i, v := range s.Volumes {
		v.ReadOnly = false
		vols[i] = v
	}
	s.Volumes = vols
	out, err := json.Marshal(s)
	if err != nil {
		return "marshal error: " + err.Error()
	}
	return string(out)
}

// added drops from list the entries rofix adds (those matching isAdded that
// orig does not have).
func added(orig, list []string, isAdded func(string) bool) []string {
	var out []string
	for _, e := range list {
		if isAdded(e) && !slices.Contains(orig, e) {
			continue
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// TestOracleCorpus runs the compose-go oracle over the shared corpus, in
// both --ro-mounts modes and with the opt-in rules on.
func TestOracleCorpus(t *testing.T) {
	logrus.SetOutput(io.Discard)
	dir := corpusDir(t)
	binds, optIn := policy.Default(), policy.Default()
	binds.ROMounts = policy.ROMountsBinds
	optIn.On = finding.OptInRules()
	for _, run := range []struct {
		name string
		pol  policy.Policy
	}{{"--ro-mounts=auto", policy.Default()}, {"--ro-mounts=binds", binds}, {"--enable cap-drop,non-root", optIn}} {
		var st oracleStats
		for _, path := range corpusFiles(t, dir) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkOracle(t, &st, filepath.Dir(path), filepath.Base(path), src, run.pol)
		}
		t.Logf("%s: %d files, %d loaded by compose-go before, %d after, %d services compared",
			run.name, st.files, st.loadedBefore, st.loadedAfter, st.services)
	}
}

// TestOracleGolden runs the compose-go oracle over the inputs of the compose
// golden cases.
func TestOracleGolden(t *testing.T) {
	logrus.SetOutput(io.Discard)
	files, err := filepath.Glob(filepath.Join("testdata", "compose", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	var st oracleStats
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		pol, err := casePolicy(string(ar.Comment))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files[1:] {
			if f.Name == config.FileName {
				c, err := config.Parse(f.Name, f.Data)
				if err != nil {
					t.Fatal(err)
				}
				pol = c.Apply(pol, strings.Contains(string(ar.Comment), "--ro-mounts="))
			}
		}
		in := ar.Files[0]
		checkOracle(t, &st, t.TempDir(), filepath.Base(file)+"/"+in.Name, in.Data, pol)
	}
	t.Logf("golden: %d cases, %d loaded by compose-go before, %d after, %d services compared",
		st.files, st.loadedBefore, st.loadedAfter, st.services)
}
