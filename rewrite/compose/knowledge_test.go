package compose

import (
	"testing"

	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/policy"
)

// The verifier accepts exactly the planned tmpfs entries, options
// included, and nothing else.
func TestVerifyKnowledge(t *testing.T) {
	src := []byte("services:\n  db:\n    image: postgres\n")
	pol := policy.Default()
	pol.Images = &policy.Knowledge{Entries: []*policy.ImageEntry{
		{Name: "postgres", Match: []string{"postgres"}, Tmpfs: []string{"/run/postgresql:uid=999,gid=999", "/var/cache/x"}, Verdict: policy.Works},
	}}
	plan, err := Plan(src, pol)
	if err != nil || plan.Verify == nil {
		t.Fatal(err)
	}
	good, _ := edit.Apply(src, plan.Edits)
	const head = "services:\n  db:\n    image: postgres\n    read_only: true\n    tmpfs:\n"
	const tail = "    security_opt:\n      - no-new-privileges:true\n"
	if want := head + "      - /run/postgresql:uid=999,gid=999\n      - /tmp\n      - /var/cache/x\n" + tail; string(good) != want {
		t.Fatalf("output\n%s\nwant\n%s", good, want)
	}
	if err := plan.Verify(good); err != nil {
		t.Errorf("Verify rejected the planned output: %v", err)
	}
	for _, bad := range []string{
		head + "      - /run/postgresql:uid=0,gid=999\n      - /tmp\n      - /var/cache/x\n" + tail,
		head + "      - /run/postgresql\n      - /tmp\n      - /var/cache/x\n" + tail,
		head + "      - /run/postgresql:uid=999,gid=999\n      - /tmp\n" + tail,
		head + "      - /run/postgresql:uid=999,gid=999\n      - /tmp\n      - /var/cache/x\n      - /run\n" + tail,
	} {
		plan, err := Plan(src, pol) // Verify applies the tree changes once
		if err != nil {
			t.Fatal(err)
		}
		if plan.Verify([]byte(bad)) == nil {
			t.Errorf("Verify accepted\n%s", bad)
		}
	}
}
