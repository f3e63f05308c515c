package kube

import (
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/policy"
)

// TestImageKnowledge: the scratch paths the image table names for an image
// become emptyDir mounts, named after their paths; the paths the image must
// not get a tmpfs on get none; an unknown image gets /tmp only.
func TestImageKnowledge(t *testing.T) {
	src := `apiVersion: v1
kind: Pod
spec:
  containers:
  - name: web
    image: nginx:1.27
  - name: other
    image: example.com/unknown:1
`
	pol := policy.Default()
	pol.Images = policy.Builtin()
	plan, err := Plan([]byte(src), pol)
	if err != nil {
		t.Fatal(err)
	}
	out, err := edit.Apply([]byte(src), plan.Edits)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Verify(out); err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, p := range pol.NeedsFor("", "nginx:1.27").Tmpfs {
		path := policy.TmpfsTarget(p)
		if !strings.Contains(text, "mountPath: "+path+"\n") {
			t.Errorf("no emptyDir mounted on %s for nginx:\n%s", path, text)
		}
	}
	for _, want := range []string{"name: web-tmp", "name: other-tmp", "name: var-cache-nginx"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "mountPath: /"); n != len(pol.NeedsFor("", "nginx:1.27").Tmpfs)+1 {
		t.Errorf("%d mounts, want nginx's scratch paths plus /tmp for the other container:\n%s", n, text)
	}
	for _, p := range pol.NeedsFor("", "nginx:1.27").NoTmpfs {
		if strings.Contains(text, "mountPath: "+p+"\n") {
			t.Errorf("an emptyDir on %s, which nginx ships files in:\n%s", p, text)
		}
	}
}
