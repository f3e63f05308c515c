package main

import (
	"os/exec"
	"strings"
	"testing"
)

// module is rofix's import path.
const module = "github.com/rofix/rofix"

// learnPkg and trialPkg are the packages allowed to run programs and open
// connections: "rofix learn" and "rofix try".
const (
	learnPkg = module + "/rewrite/learn"
	trialPkg = module + "/rewrite/trial"
)

// engineSide reports whether pkg is one of them.
func engineSide(pkg string) bool { return pkg == learnPkg || pkg == trialPkg }

// forbidden are the packages that run a program or open a connection
// (net/url and net/netip are string parsers and may be linked).
var forbidden = map[string]bool{"os/exec": true, "net": true, "net/http": true, "crypto/tls": true, "plugin": true}

// goList runs "go list" with args and returns the words it prints.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Skipf("go list %s: %v", strings.Join(args, " "), err)
	}
	return strings.Fields(string(out))
}

// TestNoExecNoNetwork proves by the import graph that the rewrite path
// cannot run a program or open a connection: no package of rofix links
// os/exec, net, net/http, crypto/tls or plugin, except rewrite/learn ("rofix
// learn" asks the engine), rewrite/trial ("rofix try" runs the project) and
// this command, which links them only to dispatch "rofix learn" and "rofix
// try" to them. rewrite/cli, which does everything else, imports neither. The bench programs (they drive rofix binaries) and
// the e2e suite are not part of rofix. It also keeps test-only dependencies
// (compose-go, the Kubernetes API types) out of the binary.
func TestNoExecNoNetwork(t *testing.T) {
	checked := 0
	for _, pkg := range goList(t, module+"/...") {
		switch {
		case engineSide(pkg), pkg == module+"/cmd/rofix", pkg == module+"/e2e",
			strings.HasPrefix(pkg, module+"/bench"):
			continue
		}
		checked++
		for _, dep := range goList(t, "-deps", pkg) {
			switch {
			case forbidden[dep]:
				t.Errorf("%s links %s", pkg, dep)
			case engineSide(dep):
				t.Errorf("%s links %s", pkg, dep)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d packages: the package list is wrong", checked)
	}
	// The command itself: what it links beyond learn comes through cli.
	cmdImports := goList(t, "-f", `{{join .Imports " "}}`, ".")
	for _, imp := range cmdImports {
		if forbidden[imp] {
			t.Errorf("cmd/rofix imports %s itself", imp)
		}
	}
	sawLearn, sawTrial := false, false
	for _, dep := range goList(t, "-deps", ".") {
		if strings.HasPrefix(dep, "github.com/compose-spec/") || strings.HasPrefix(dep, "k8s.io/") || strings.HasPrefix(dep, "sigs.k8s.io/") {
			t.Errorf("the test-only oracle %s is linked into rofix", dep)
		}
		sawLearn = sawLearn || dep == learnPkg
		sawTrial = sawTrial || dep == trialPkg
	}
	if !sawLearn || !sawTrial {
		t.Errorf("cmd/rofix does not link %s and %s: rofix learn and rofix try are not dispatched", learnPkg, trialPkg)
	}
	// learn and trial are the only rofix packages that import os/exec
	// directly.
	for _, line := range goList(t, "-deps", "-f", `{{.ImportPath}}:{{join .Imports ","}}`, ".") {
		path, imports, _ := strings.Cut(line, ":")
		if !strings.HasPrefix(path, module) || engineSide(path) {
			continue
		}
		for _, imp := range strings.Split(imports, ",") {
			if forbidden[imp] {
				t.Errorf("%s imports %s", path, imp)
			}
		}
	}
}
