package policy

import (
	"slices"
	"sync"
	"testing"
)

// TestBuiltinCopies: the table is parsed once per process, but each
// Builtin call hands out its own copy: changing one changes no other.
func TestBuiltinCopies(t *testing.T) {
	a, b := Builtin(), Builtin()
	if len(a.Entries) == 0 || len(a.Entries) != len(b.Entries) {
		t.Fatalf("Builtin: %d and %d entries", len(a.Entries), len(b.Entries))
	}
	a.Entries[0].Name = "changed"
	a.Entries[0].Tmpfs = append(a.Entries[0].Tmpfs[:0], "/changed")
	a.Entries[0].Env = append(a.Entries[0].Env, EnvSetting{Name: "X"})
	c := Builtin()
	for _, k := range []*Knowledge{b, c} {
		if e := k.Entries[0]; e.Name == "changed" || slices.Contains(e.Tmpfs, "/changed") || slices.ContainsFunc(e.Env, func(s EnvSetting) bool { return s.Name == "X" }) {
			t.Errorf("a change to one Builtin() copy shows in another: %+v", e)
		}
	}
}

// TestLookupMemo: Lookup answers the same for an image asked twice and
// from many goroutines at once (run with -race).
func TestLookupMemo(t *testing.T) {
	k := Builtin()
	images := []string{"nginx:1.27", "postgres:18", "hashicorp/vault", "unknown/app", "bitnami/redis:7"}
	want := map[string]Needs{}
	for _, img := range images {
		want[img] = k.lookup(img)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, img := range images {
				got := k.Lookup(img)
				if !slices.Equal(got.Tmpfs, want[img].Tmpfs) || !slices.Equal(got.Volumes, want[img].Volumes) || got.Verdict != want[img].Verdict {
					t.Errorf("Lookup(%q) = %+v, want %+v", img, got, want[img])
				}
			}
		}()
	}
	wg.Wait()
}

// TestLookupStatePaths: image VOLUMEs and optional state paths are
// merged over the matched entries; a path one entry requires stays
// required.
func TestLookupStatePaths(t *testing.T) {
	k := Builtin()
	for _, tt := range []struct {
		image           string
		volumes, imageV []string
		optional        []string
	}{
		{"postgres:16", []string{"/var/lib/postgresql/data"}, []string{"/var/lib/postgresql/data"}, nil},
		{"postgres:18", []string{"/var/lib/postgresql"}, []string{"/var/lib/postgresql"}, nil},
		{"redis:7", []string{"/data"}, []string{"/data"}, nil},
		{"redis:8", []string{"/data"}, nil, nil},
		{"hashicorp/vault:1.17", []string{"/vault/file", "/vault/logs"}, []string{"/vault/file", "/vault/logs"}, []string{"/vault/file", "/vault/logs"}},
		{"docker.elastic.co/elasticsearch/elasticsearch:8.15.0", []string{"/usr/share/elasticsearch/config", "/usr/share/elasticsearch/data"}, nil, nil},
		{"bitnami/redis", []string{"/bitnami/redis"}, nil, nil},
	} {
		n := k.Lookup(tt.image)
		if !slices.Equal(n.Volumes, tt.volumes) || !slices.Equal(n.ImageVolumes, tt.imageV) || !slices.Equal(n.OptionalVolumes, tt.optional) {
			t.Errorf("Lookup(%q): volumes %q image %q optional %q, want %q %q %q", tt.image, n.Volumes, n.ImageVolumes, n.OptionalVolumes, tt.volumes, tt.imageV, tt.optional)
		}
	}
}

func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		Default()
	}
}

func BenchmarkLookup(b *testing.B) {
	k := Builtin()
	for b.Loop() {
		k.Lookup("docker.io/library/postgres:16-alpine")
	}
}
