package trial

import (
	"fmt"
	"testing"

	"github.com/rofix/rofix/rewrite/learn"
)

// TestDemote: when a service whose needs an image entry holds is
// withheld, the image entry goes and every service of that image gets its
// paths in an entry of its own (the withheld one keeps its verdict); the
// entries of other images stay.
func TestDemote(t *testing.T) {
	tr := &trial{serviceImage: map[string]string{"web": "lighttpd", "admin": "lighttpd", "db": "postgres"}}
	learned := []learn.Learned{
		{Image: "lighttpd", Tmpfs: []string{"/var/log/lighttpd:uid=33,gid=33"}, Sources: []string{"rofix try"}},
		{Image: "postgres", Tmpfs: []string{"/run/postgresql"}, Sources: []string{"rofix try"}},
		{Image: "lighttpd", Service: "web", Verdict: "no", Conditions: "fails read-only", Sources: []string{"rofix try"}},
	}
	tr.demote(&learned, "web")
	got := fmt.Sprint(summarize(learned))
	want := "[postgres: [/run/postgresql] lighttpd/web no: [/var/log/lighttpd:uid=33,gid=33] lighttpd/admin: [/var/log/lighttpd:uid=33,gid=33]]"
	if got != want {
		t.Errorf("after demote:\n got %s\nwant %s", got, want)
	}
	tr.demote(&learned, "web") // nothing left to demote
	if again := fmt.Sprint(summarize(learned)); again != want {
		t.Errorf("a second demote changed it: %s", again)
	}
}

func summarize(ls []learn.Learned) []string {
	var out []string
	for _, l := range ls {
		name := l.Image
		if l.Service != "" {
			name += "/" + l.Service
		}
		if l.Verdict != "" {
			name += " " + l.Verdict
		}
		out = append(out, fmt.Sprintf("%s: %v", name, l.Tmpfs))
	}
	return out
}
