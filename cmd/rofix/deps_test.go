package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoExecNoNetwork proves by the import graph that rofix cannot run a
// program or open a connection: neither os/exec nor net is linked into the
// binary (net/url and net/netip are string parsers and may be). It also keeps test-only dependencies (compose-go, the Kubernetes API types) out of it.
func TestNoExecNoNetwork(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case pkg == "os/exec", pkg == "net", pkg == "net/http", pkg == "crypto/tls", pkg == "plugin":
			t.Errorf("rofix links %s", pkg)
		case strings.HasPrefix(pkg, "github.com/compose-spec/"), strings.HasPrefix(pkg, "k8s.io/"), strings.HasPrefix(pkg, "sigs.k8s.io/"):
			t.Errorf("the test-only oracle %s is linked into rofix", pkg)
		}
	}
}
