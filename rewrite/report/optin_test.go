package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// TestOptInRules: with cap-drop and non-root on, their findings reach
// every report under their rule ids, fixed ones with the knowledge they
// come from; SARIF describes both rules in every log, on or off.
func TestOptInRules(t *testing.T) {
	pol := policy.Default()
	pol.On = finding.OptInRules()
	pol.Images = pol.Images.With([]*policy.ImageEntry{{Name: "my db", Match: []string{"example/db"}, Verdict: policy.Works,
		Caps: []string{"CHOWN", "SETUID"}, Sources: []string{".rofix.yaml:3"}}})
	src := []byte("services:\n  db:\n    image: example/db\n  app:\n    image: example/app\n")
	files := []File{FromResult("compose.yaml", process(input{path: "compose.yaml", src: src, pol: pol}))}

	var js bytes.Buffer
	if err := WriteJSON(&js, files); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Files []struct {
			Findings []struct {
				Rule    string `json:"rule"`
				Message string `json:"message"`
				Fixed   bool   `json:"fixed"`
			} `json:"findings"`
		} `json:"files"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil || len(doc.Files) != 1 {
		t.Fatalf("JSON: %v\n%s", err, js.Bytes())
	}
	got := map[string]bool{}
	for _, f := range doc.Files[0].Findings {
		switch {
		case f.Rule == "cap-drop" && f.Fixed && strings.Contains(f.Message, "cap_add: [CHOWN, SETUID]") && strings.Contains(f.Message, "(my db: .rofix.yaml:3)"):
			got["cap-drop fixed"] = true
		case f.Rule == "cap-drop" && !f.Fixed && strings.Contains(f.Message, "rofix try"):
			got["cap-drop open"] = true
		case f.Rule == "non-root" && !f.Fixed:
			got["non-root open"] = true
		}
	}
	if len(got) != 3 {
		t.Errorf("JSON findings: %v; want cap-drop fixed with its source, cap-drop and non-root open\n%s", got, js.Bytes())
	}

	_, log := sarifOf(t, files)
	ids := map[string]int{}
	for i, r := range log.Runs[0].Tool.Driver.Rules {
		ids[r.ID] = i
	}
	results := map[string]bool{}
	for _, r := range log.Runs[0].Results {
		if i, ok := ids[r.RuleID]; !ok || i != r.RuleIndex {
			t.Errorf("result of %s: ruleIndex %d, descriptor at %d", r.RuleID, r.RuleIndex, i)
		}
		results[r.RuleID] = true
	}
	if !results["cap-drop"] || !results["non-root"] {
		t.Errorf("SARIF results lack the opt-in rules: %v", results)
	}
	_, off := sarifOf(t, []File{FromResult("compose.yaml", process(input{path: "compose.yaml", src: src, pol: policy.Default()}))})
	for _, id := range []string{"cap-drop", "non-root"} {
		found := false
		for _, r := range off.Runs[0].Tool.Driver.Rules {
			found = found || r.ID == id && strings.Contains(r.FullDescription.Text, "Off unless switched on")
		}
		if !found {
			t.Errorf("a run with the rules off does not describe %s as off by default", id)
		}
	}

	md := markdown(t, files, 0)
	for _, want := range []string{"Only the capabilities needed (opt-in): cap_drop: \\[ALL\\] and cap_add: \\[CHOWN, SETUID\\] added to service db",
		"**A non-root user (opt-in)** (`non-root`)", "**Only the capabilities needed (opt-in)** (`cap-drop`)"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}
