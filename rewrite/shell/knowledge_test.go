package shell

import (
	"testing"

	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/policy"
)

// knows returns a policy that knows only that image's containers need
// the tmpfs entries tmpfs.
func knows(image string, tmpfs ...string) policy.Policy {
	pol := policy.Default()
	pol.Images = &policy.Knowledge{Entries: []*policy.ImageEntry{
		{Name: image, Match: []string{image}, Tmpfs: tmpfs, Verdict: policy.Works},
	}}
	return pol
}

// The verifier accepts exactly the planned --tmpfs entries, options
// included, and nothing else.
func TestVerifyKnowledge(t *testing.T) {
	src := []byte("docker run --rm postgres\n")
	pol := knows("postgres", "/run/postgresql:uid=999,gid=999", "/var/cache/x")
	plan, err := Plan("x.sh", src, pol)
	if err != nil || plan.Verify == nil {
		t.Fatal(err)
	}
	good, _ := edit.Apply(src, plan.Edits)
	const want = "docker run --read-only --tmpfs /run/postgresql:uid=999,gid=999 --tmpfs /tmp --tmpfs /var/cache/x --security-opt no-new-privileges --rm postgres\n"
	if string(good) != want {
		t.Fatalf("output\n%s\nwant\n%s", good, want)
	}
	if err := plan.Verify(good); err != nil {
		t.Errorf("Verify rejected the planned output: %v", err)
	}
	for _, bad := range []string{
		"docker run --read-only --tmpfs /run/postgresql:uid=0,gid=999 --tmpfs /tmp --tmpfs /var/cache/x --security-opt no-new-privileges --rm postgres\n",
		"docker run --read-only --tmpfs /run/postgresql --tmpfs /tmp --tmpfs /var/cache/x --security-opt no-new-privileges --rm postgres\n",
		"docker run --read-only --tmpfs /run/postgresql:uid=999,gid=999 --tmpfs /tmp --security-opt no-new-privileges --rm postgres\n",
		"docker run --read-only --tmpfs /run/postgresql:uid=999,gid=999 --tmpfs /tmp --tmpfs /var/cache/x --tmpfs /run --security-opt no-new-privileges --rm postgres\n",
	} {
		if plan.Verify([]byte(bad)) == nil {
			t.Errorf("Verify accepted %q", bad)
		}
	}
	if again, _ := Plan("x.sh", good, pol); len(again.Edits) != 0 {
		t.Errorf("second run edits %v", again.Edits)
	}
}
