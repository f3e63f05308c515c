package policy

import (
	"reflect"
	"testing"
)

// TestNeedsForService: a config's per-service override is merged over what
// the image needs, for that service only.
func TestNeedsForService(t *testing.T) {
	image := &ImageEntry{Name: "app", Match: []string{"acme/app"}, Tmpfs: []string{"/tmp", "/run"}, Verdict: Works}
	base := Needs{
		Image: "acme/app:1", Entries: []*ImageEntry{image},
		Tmpfs: []string{"/run:exec", "/tmp", "/var/cache/app"}, Volumes: []string{"/data"},
		Env:     []EnvSetting{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}},
		Verdict: Works, Notes: []string{"a note"},
	}
	tests := []struct {
		name     string
		override *ImageEntry
		want     Needs
	}{
		{"tmpfs added and merged, the override's option values first", &ImageEntry{Tmpfs: []string{"/run:uid=70,gid=70", "/srv/tmp"}},
			Needs{Tmpfs: []string{"/run:uid=70,gid=70,exec", "/srv/tmp", "/tmp", "/var/cache/app"}, Volumes: []string{"/data"}, Verdict: Works}},
		{"a volume or no_tmpfs path loses its tmpfs", &ImageEntry{Volumes: []string{"/var/cache"}, NoTmpfs: []string{"/run"}},
			Needs{Tmpfs: []string{"/tmp"}, Volumes: []string{"/data", "/var/cache"}, NoTmpfs: []string{"/run"}, Verdict: Works}},
		{"canonical paths", &ImageEntry{Tmpfs: []string{"/var/run/app"}},
			Needs{Tmpfs: []string{"/run:exec", "/run/app", "/tmp", "/var/cache/app"}, Volumes: []string{"/data"}, Verdict: Works}},
		{"verdict and conditions", &ImageEntry{Name: "service web", Verdict: DoesNotWork, Conditions: "writes its binary dir"},
			Needs{Tmpfs: []string{"/run:exec", "/tmp", "/var/cache/app"}, Volumes: []string{"/data"}, Verdict: DoesNotWork}},
		{"conditions without a verdict are a note", &ImageEntry{Name: "service web", Conditions: "needs a volume on /srv"},
			Needs{Tmpfs: []string{"/run:exec", "/tmp", "/var/cache/app"}, Volumes: []string{"/data"}, Verdict: Works,
				Notes: []string{"a note", "service web: needs a volume on /srv"}}},
		{"env replaced by name", &ImageEntry{Env: []EnvSetting{{Name: "A", Value: "0", Why: "w"}}},
			Needs{Tmpfs: []string{"/run:exec", "/tmp", "/var/cache/app"}, Volumes: []string{"/data"}, Verdict: Works,
				Env: []EnvSetting{{Name: "A", Value: "0", Why: "w"}, {Name: "B", Value: "2"}}}},
		{"image volumes added; a state path the image requires stays required", &ImageEntry{Volumes: []string{"/data", "/audit"}, ImageVolumes: []string{"/data"}, OptionalVolumes: []string{"/data", "/audit"}},
			Needs{Tmpfs: []string{"/run:exec", "/tmp", "/var/cache/app"}, Volumes: []string{"/audit", "/data"}, ImageVolumes: []string{"/data"}, OptionalVolumes: []string{"/audit"}, Verdict: Works}},
		{"a trait", &ImageEntry{Traits: []string{"jvm"}},
			Needs{Tmpfs: []string{"/run:exec", "/tmp:exec", "/var/cache/app"}, Volumes: []string{"/data"}, Verdict: Works}},
		{"a user", &ImageEntry{User: "1000"},
			Needs{Tmpfs: []string{"/run:exec", "/tmp", "/var/cache/app"}, Volumes: []string{"/data"}, Verdict: Works, User: "1000"}},
		{"a cond verdict with its checks", &ImageEntry{Name: "service web", Verdict: WorksWithConditions, Checks: []Check{{Mount: "/srv"}}},
			Needs{Tmpfs: []string{"/run:exec", "/tmp", "/var/cache/app"}, Volumes: []string{"/data"}, Verdict: WorksWithConditions, Checks: []Check{{Mount: "/srv"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Policy{Services: map[string]*ImageEntry{"web": tt.override}}
			got := p.overrideService("web", base)
			want := tt.want
			want.Image = base.Image
			want.Entries = []*ImageEntry{image}
			if tt.override.Verdict == DoesNotWork || tt.override.Verdict == WorksWithConditions {
				want.Entries = []*ImageEntry{tt.override, image}
			}
			if want.Notes == nil {
				want.Notes = base.Notes
			}
			if want.Env == nil {
				want.Env = base.Env
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			// Other services and run commands are not affected.
			for _, svc := range []string{"db", ""} {
				if got := p.overrideService(svc, base); !reflect.DeepEqual(got, base) {
					t.Errorf("service %q: got %+v, want the image's needs", svc, got)
				}
			}
		})
	}
	// The base needs (which may belong to the shared table) are not changed.
	if base.Tmpfs[0] != "/run:exec" || len(base.Entries) != 1 || base.Env[0].Value != "1" {
		t.Errorf("the image's needs were modified: %+v", base)
	}
}

// TestNeedsForReachesOverride: NeedsFor applies the override over the
// image knowledge, and over the scratch paths when there is none.
func TestNeedsForReachesOverride(t *testing.T) {
	web := &ImageEntry{Tmpfs: []string{"/var/cache/nginx"}}
	p := Policy{TmpfsPaths: []string{"/tmp"}, Services: map[string]*ImageEntry{"web": web}}
	if got := p.NeedsFor("web", "nginx"); !reflect.DeepEqual(got.Tmpfs, []string{"/tmp", "/var/cache/nginx"}) || got.Known() {
		t.Errorf("without image knowledge: %+v", got)
	}
	p.Images = Builtin()
	image := p.NeedsFor("db", "nginx")
	got := p.NeedsFor("web", "nginx")
	if !image.Known() || !reflect.DeepEqual(got.Entries, image.Entries) {
		t.Errorf("with image knowledge: entries %v, want the image's %v", got.Entries, image.Entries)
	}
	if want := mergeTmpfs(append([]string{"/var/cache/nginx"}, image.Tmpfs...)); !reflect.DeepEqual(got.Tmpfs, want) {
		t.Errorf("with image knowledge: tmpfs %q, want %q", got.Tmpfs, want)
	}
	if got := p.NeedsFor("", "nginx"); !reflect.DeepEqual(got, image) {
		t.Errorf("a run command got the service override: %+v", got)
	}
}
