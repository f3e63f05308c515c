package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// action is the part of action.yml a runner reads.
type action struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			Name  string            `yaml:"name"`
			ID    string            `yaml:"id"`
			If    string            `yaml:"if"`
			Uses  string            `yaml:"uses"`
			Shell string            `yaml:"shell"`
			Env   map[string]string `yaml:"env"`
			Run   string            `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// actionRun is the outcome of running the action's steps.
type actionRun struct {
	status  int               // the first failing step's exit status, or 0
	log     string            // the steps' stdout and stderr
	summary string            // what went to $GITHUB_STEP_SUMMARY
	outputs map[string]string // the action's outputs
}

var exprRE = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// runAction runs the run: steps of action.yml the way a GitHub runner runs a
// composite action: ${{ }} expressions (inputs, github.action_path,
// steps.ID.outputs) evaluated, each step in bash -eo pipefail with the
// workflow's environment (GITHUB_WORKSPACE, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY, RUNNER_TEMP, ...), the workspace as working
// directory, stopping at the first failing step. uses: steps (actions/
// setup-go) need GitHub: the test runs with setup-go false and checks that
// they are all conditional on it.
func runAction(t *testing.T, workspace string, inputs map[string]string) actionRun {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml runs.using %q, want composite", a.Runs.Using)
	}
	for name := range inputs {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("action.yml has no input %q", name)
		}
	}
	value := func(name string) string {
		if v, ok := inputs[name]; ok {
			return v
		}
		return a.Inputs[name].Default
	}
	tmp := t.TempDir()
	runnerTemp := filepath.Join(tmp, "runner-temp")
	summary := filepath.Join(tmp, "step-summary.md")
	for _, dir := range []string{runnerTemp} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(summary, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	stepOutputs := map[string]map[string]string{}
	eval := func(s string) string {
		return exprRE.ReplaceAllStringFunc(s, func(m string) string {
			expr := exprRE.FindStringSubmatch(m)[1]
			switch parts := strings.Split(expr, "."); {
			case len(parts) == 2 && parts[0] == "inputs":
				return value(parts[1])
			case expr == "github.action_path":
				return root
			case expr == "github.workspace":
				return workspace
			case expr == "runner.temp":
				return runnerTemp
			case len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs":
				return stepOutputs[parts[1]][parts[3]]
			}
			t.Fatalf("action.yml: expression %q is not one the test evaluates", m)
			return ""
		})
	}
	base := append(os.Environ(),
		"CI=true", "GITHUB_ACTIONS=true",
		"GITHUB_WORKSPACE="+workspace, "GITHUB_ACTION_PATH="+root,
		"GITHUB_STEP_SUMMARY="+summary, "RUNNER_TEMP="+runnerTemp, "RUNNER_OS=Linux",
	)
	run := actionRun{outputs: map[string]string{}}
	var log bytes.Buffer
	for i, step := range a.Runs.Steps {
		if step.Uses != "" {
			if step.If != "inputs.setup-go == 'true'" {
				t.Fatalf("step %q uses %s without the condition inputs.setup-go == 'true'", step.Name, step.Uses)
			}
			if value("setup-go") == "true" {
				t.Fatalf("step %q needs GitHub; run the test with setup-go false", step.Name)
			}
			continue
		}
		if step.If != "" {
			t.Fatalf("step %q has a condition the test does not evaluate: %s", step.Name, step.If)
		}
		if step.Shell != "bash" {
			t.Fatalf("step %q: shell %q, want bash", step.Name, step.Shell)
		}
		script := filepath.Join(tmp, fmt.Sprintf("step%d.sh", i))
		if err := os.WriteFile(script, []byte(eval(step.Run)), 0o644); err != nil {
			t.Fatal(err)
		}
		output := filepath.Join(tmp, fmt.Sprintf("output%d", i))
		if err := os.WriteFile(output, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		env := append(base, "GITHUB_OUTPUT="+output)
		for k, v := range step.Env {
			env = append(env, k+"="+eval(v))
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir, cmd.Env = workspace, env
		cmd.Stdout, cmd.Stderr = &log, &log
		err := cmd.Run()
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatal(err)
		}
		stepOutputs[step.ID] = readOutputs(t, output)
		if code := cmd.ProcessState.ExitCode(); code != 0 {
			run.status = code
			break
		}
	}
	run.log = log.String()
	b, _ := os.ReadFile(summary)
	run.summary = string(b)
	for name, o := range a.Outputs {
		run.outputs[name] = eval(o.Value)
	}
	return run
}

// readOutputs parses a $GITHUB_OUTPUT file: name=value lines and
// name<<DELIMITER blocks.
func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var lines []string
			for sc.Scan() && sc.Text() != delim {
				lines = append(lines, sc.Text())
			}
			out[name] = strings.Join(lines, "\n")
			continue
		}
		if name, v, ok := strings.Cut(line, "="); ok {
			out[name] = v
			continue
		}
		t.Fatalf("%s: malformed output line %q", path, line)
	}
	return out
}

// newWorkspace is a checkout holding the examples.
func newWorkspace(t *testing.T) string {
	t.Helper()
	ws := t.TempDir()
	for src, dst := range map[string]string{
		"../../examples/webapp/compose.yaml": "webapp/compose.yaml",
		"../../examples/webapp/nginx.conf":   "webapp/nginx.conf",
		"../../examples/scripts/deploy.sh":   "scripts/deploy.sh",
	} {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(ws, dst)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ws, dst), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return ws
}

// rofixOut runs the rofix binary in bin with args in dir and returns its
// stdout.
func rofixOut(t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "rofix"), args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return string(out)
}

// hasFormat reports whether this rofix has --format (merged from the
// reports work); the markdown summary and mode sarif need it.
func hasFormat(t *testing.T, bin string) bool {
	t.Helper()
	return strings.Contains(rofixOut(t, bin, ".", "-h"), "-format")
}

// TestAction runs action.yml's steps with the inputs a workflow passes, in
// every mode, on a workspace holding the examples.
func TestAction(t *testing.T) {
	bin := buildRofix(t)
	withFormat := hasFormat(t, bin)
	summary := "false"
	if withFormat {
		summary = "true"
	}

	t.Run("check fails on unhardened files", func(t *testing.T) {
		ws := newWorkspace(t)
		wantDiff := rofixOut(t, bin, ws, "-d", ".")
		r := runAction(t, ws, map[string]string{"setup-go": "false", "summary": summary})
		if r.status != 1 {
			t.Fatalf("status %d, want 1:\n%s", r.status, r.log)
		}
		for _, want := range []string{
			wantDiff,
			"::error title=rofix::not hardened (run rofix -w): scripts/deploy.sh webapp/compose.yaml",
			"::warning file=webapp/compose.yaml,line=17,col=9,title=rofix::ro-mounts: bind mount stays writable",
		} {
			if !strings.Contains(r.log, want) {
				t.Errorf("the log lacks %q:\n%s", want, r.log)
			}
		}
		if r.outputs["changed"] != "true" || r.outputs["changed-files"] != "scripts/deploy.sh\nwebapp/compose.yaml" {
			t.Errorf("outputs %q", r.outputs)
		}
		diff, _ := os.ReadFile(r.outputs["diff-file"])
		if string(diff) != wantDiff {
			t.Errorf("diff-file holds\n%s\nwant\n%s", diff, wantDiff)
		}
		if withFormat {
			md, _ := os.ReadFile(r.outputs["markdown-file"])
			if len(md) == 0 || r.summary != string(md) || !strings.Contains(r.summary, "webapp/compose.yaml") {
				t.Errorf("job summary\n%s\nmarkdown-file\n%s", r.summary, md)
			}
		}
		if got := rofixOut(t, bin, ws, "-d", "."); got != wantDiff {
			t.Error("check changed the workspace")
		}
	})

	t.Run("write rewrites, then check passes", func(t *testing.T) {
		ws := newWorkspace(t)
		wantDiff := rofixOut(t, bin, ws, "-d", ".")
		r := runAction(t, ws, map[string]string{"setup-go": "false", "summary": summary, "mode": "write"})
		if r.status != 0 || r.outputs["changed"] != "true" {
			t.Fatalf("status %d, changed %q:\n%s", r.status, r.outputs["changed"], r.log)
		}
		if got := rofixOut(t, bin, ws, "-d", "."); got != "" {
			t.Errorf("after mode write, rofix still changes:\n%s", got)
		}
		if diff, _ := os.ReadFile(r.outputs["diff-file"]); string(diff) != wantDiff {
			t.Errorf("diff-file of mode write:\n%s\nwant\n%s", diff, wantDiff)
		}
		r = runAction(t, ws, map[string]string{"setup-go": "false", "summary": summary})
		if r.status != 0 || r.outputs["changed"] != "false" || r.outputs["changed-files"] != "" {
			t.Errorf("check on hardened files: status %d, outputs %q:\n%s", r.status, r.outputs, r.log)
		}
	})

	t.Run("diff with paths and flags never fails on changes", func(t *testing.T) {
		ws := newWorkspace(t)
		want := rofixOut(t, bin, ws, "-d", "--ro-mounts=binds", "webapp")
		if want == rofixOut(t, bin, ws, "-d", "webapp") {
			t.Fatal("--ro-mounts=binds changes nothing here: the test would not see the flag")
		}
		r := runAction(t, ws, map[string]string{"setup-go": "false", "summary": "false", "mode": "diff",
			"paths": "webapp\n", "flags": "--ro-mounts=binds"})
		if r.status != 0 || !strings.Contains(r.log, want) || strings.Contains(r.log, "deploy.sh") {
			t.Errorf("status %d, log:\n%s\nwant the diff of webapp only:\n%s", r.status, r.log, want)
		}
	})

	t.Run("the opt-in rules' findings are warnings", func(t *testing.T) {
		ws := newWorkspace(t)
		r := runAction(t, ws, map[string]string{"setup-go": "false", "summary": "false", "mode": "diff",
			"paths": "webapp\n", "flags": "--enable cap-drop,non-root"})
		for _, rule := range []string{"cap-drop", "non-root"} {
			if r.status != 0 || !regexp.MustCompile(`::warning file=webapp/compose.yaml,line=\d+,col=\d+,title=rofix::`+rule+`: `).MatchString(r.log) {
				t.Errorf("status %d; no %s warning in the log:\n%s", r.status, rule, r.log)
			}
		}
		if strings.Contains(r.log, "::error") {
			t.Errorf("an opt-in finding became an error:\n%s", r.log)
		}
	})

	t.Run("an unreadable file fails every mode", func(t *testing.T) {
		for _, mode := range []string{"check", "diff", "write"} {
			ws := newWorkspace(t)
			if err := os.WriteFile(filepath.Join(ws, "compose.yaml"), []byte("services:\n  web: [\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			r := runAction(t, ws, map[string]string{"setup-go": "false", "summary": "false", "mode": mode})
			if r.status != 2 || !strings.Contains(r.log, "::error file=compose.yaml,line=") {
				t.Errorf("mode %s: status %d, want 2 and an error annotation:\n%s", mode, r.status, r.log)
			}
		}
	})

	t.Run("an unknown mode is refused", func(t *testing.T) {
		r := runAction(t, newWorkspace(t), map[string]string{"setup-go": "false", "summary": "false", "mode": "fix"})
		if r.status != 2 || !strings.Contains(r.log, "unknown mode 'fix'") {
			t.Errorf("status %d:\n%s", r.status, r.log)
		}
	})

	// Mode try runs rofix try -w on the runner's engine; its proof on real
	// engines is the e2e suite's (TestTryRealServers). Here, with no engine
	// to reach, the wiring: the path reaches rofix try, its failure fails
	// the step with an annotation naming the path, and nothing is written.
	t.Run("try without an engine fails and writes nothing", func(t *testing.T) {
		ws := newWorkspace(t)
		wantDiff := rofixOut(t, bin, ws, "-d", ".")
		t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-engine.sock"))
		t.Setenv("ROFIX_COMPOSE", "false") // no compose either
		r := runAction(t, ws, map[string]string{"setup-go": "false", "summary": summary, "mode": "try", "paths": "webapp"})
		if r.status != 2 || !strings.Contains(r.log, "::error title=rofix::rofix try webapp: not proven (exit 2)") {
			t.Fatalf("status %d, want 2 and an annotation:\n%s", r.status, r.log)
		}
		if r.outputs["changed"] != "false" || r.outputs["markdown-file"] == "" {
			t.Errorf("outputs %q", r.outputs)
		}
		if got := rofixOut(t, bin, ws, "-d", "."); got != wantDiff {
			t.Error("mode try changed the workspace")
		}
	})

	t.Run("sarif", func(t *testing.T) {
		if !withFormat {
			t.Skip("this rofix has no --format yet (it lands with the reports work)")
		}
		ws := newWorkspace(t)
		r := runAction(t, ws, map[string]string{"setup-go": "false", "mode": "sarif", "sarif-file": "out/rofix.sarif"})
		if r.status != 0 || r.outputs["sarif-file"] != "out/rofix.sarif" {
			t.Fatalf("status %d, outputs %q:\n%s", r.status, r.outputs, r.log)
		}
		data, err := os.ReadFile(filepath.Join(ws, "out/rofix.sarif"))
		if err != nil {
			t.Fatal(err)
		}
		var log struct {
			Version string `json:"version"`
			Runs    []struct {
				Results []json.RawMessage `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(data, &log); err != nil || log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
			t.Errorf("SARIF %v: %.300s", err, data)
		}
	})
}

// TestActionWorkflowsInREADME checks the README's workflows against
// action.yml: every input they pass exists (with a valid mode), and every
// output of a rofix step they read is one the action sets.
func TestActionWorkflowsInREADME(t *testing.T) {
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	outputRE := regexp.MustCompile(`steps\.([\w-]+)\.outputs\.([\w-]+)`)
	workflows := 0
	for _, f := range fences(string(readme)) {
		if f.info != "yaml" || !strings.Contains(f.body, "rofix/rofix@") {
			continue
		}
		workflows++
		var wf struct {
			Jobs map[string]struct {
				Steps []struct {
					ID   string            `yaml:"id"`
					Uses string            `yaml:"uses"`
					With map[string]string `yaml:"with"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal([]byte(f.body), &wf); err != nil {
			t.Errorf("README.md:%d: %v", f.line, err)
			continue
		}
		rofixSteps := map[string]bool{}
		for _, job := range wf.Jobs {
			for _, step := range job.Steps {
				if !strings.HasPrefix(step.Uses, "rofix/rofix@") {
					continue
				}
				rofixSteps[step.ID] = true
				for name, v := range step.With {
					if _, ok := a.Inputs[name]; !ok {
						t.Errorf("README.md:%d: input %q is not in action.yml", f.line, name)
					}
					if name == "mode" && !strings.Contains(" check diff write sarif try ", " "+v+" ") {
						t.Errorf("README.md:%d: mode %q", f.line, v)
					}
				}
			}
		}
		for _, m := range outputRE.FindAllStringSubmatch(f.body, -1) {
			if _, ok := a.Outputs[m[2]]; rofixSteps[m[1]] && !ok {
				t.Errorf("README.md:%d: output %q is not in action.yml", f.line, m[2])
			}
		}
	}
	if workflows < 2 {
		t.Errorf("%d workflows using the action in README.md, want at least 2", workflows)
	}
}
