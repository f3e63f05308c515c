package learn

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite/config"
	"github.com/rofix/rofix/rewrite/policy"
)

// composed is a proposal for a container compose made for service svc.
func composed(name, svc, image string, decls ...Decl) Proposal {
	return Proposal{Container: Container{Name: name, Image: image, Service: svc}, Decls: decls}
}

// shippedConf is the declaration of a directory the image ships its
// configuration in, into which the container wrote its pid file.
func shippedConf() Decl {
	return Decl{
		Path: "/etc/app", Existing: true, Shipped: []string{"app.conf"},
		Evidence: []Change{{'A', "/etc/app/app.pid"}},
	}
}

// learnSource is the sources entry Collect writes for a container.
func learnSource(name string) string {
	return "rofix learn: container " + name + " on 2026-12-07 (docker diff)"
}

// TestCollectServices is the spec of learning per compose service: a
// service gets an entry of its own unless every service of its image
// learned the same, then one image entry holds it.
func TestCollectServices(t *testing.T) {
	cases := []struct {
		name  string
		props []Proposal
		want  []Learned
	}{
		{
			name: "two services of one image that differ: an entry each, none for the image",
			props: []Proposal{
				composed("p-web-1", "web", "nginx:1.27", Decl{Path: "/run"}, Decl{Path: "/var/cache/nginx"}),
				composed("p-static-1", "static", "nginx:1.27", Decl{Path: "/run"}),
			},
			want: []Learned{
				{Image: "nginx", Service: "web", Tmpfs: []string{"/run", "/var/cache/nginx"}, Sources: []string{learnSource("p-web-1")}},
				{Image: "nginx", Service: "static", Tmpfs: []string{"/run"}, Sources: []string{learnSource("p-static-1")}},
			},
		},
		{
			name: "two services of one image that agree: one image entry with both sources",
			props: []Proposal{
				composed("p-a-1", "a", "docker.io/library/nginx:1.27", Decl{Path: "/var/cache/nginx"}, Decl{Path: "/run"}),
				composed("p-b-1", "b", "nginx@sha256:abc", Decl{Path: "/run"}, Decl{Path: "/var/cache/nginx"}),
			},
			want: []Learned{
				{Image: "nginx", Tmpfs: []string{"/run", "/var/cache/nginx"}, Sources: []string{learnSource("p-a-1"), learnSource("p-b-1")}},
			},
		},
		{
			name: "replicas of one service merge into its entry",
			props: []Proposal{
				composed("p-web-1", "web", "nginx", Decl{Path: "/run"}),
				composed("p-web-2", "web", "nginx", Decl{Path: "/var/cache/nginx"}),
				composed("p-static-1", "static", "nginx"),
			},
			want: []Learned{
				{Image: "nginx", Service: "web", Tmpfs: []string{"/run", "/var/cache/nginx"}, Sources: []string{learnSource("p-web-1"), learnSource("p-web-2")}},
			},
		},
		{
			name: "a service that learned nothing gets no entry beside one that did",
			props: []Proposal{
				composed("p-worker-1", "worker", "localhost/app", Decl{Path: "/tmp"}),
				composed("p-cron-1", "cron", "localhost/app"),
			},
			want: []Learned{
				{Image: "localhost/app", Service: "worker", Tmpfs: []string{"/tmp"}, Sources: []string{learnSource("p-worker-1")}},
			},
		},
		{
			name: "a service writing where the image ships files: no_tmpfs and verdict no, per service even alone",
			props: []Proposal{
				composed("p-app-1", "app", "localhost/app:2", shippedConf(), Decl{Path: "/tmp"}),
			},
			want: []Learned{
				{
					Image: "localhost/app", Service: "app", Tmpfs: []string{"/tmp"}, NoTmpfs: []string{"/etc/app"},
					Verdict:    "no",
					Conditions: "writes app.pid into /etc/app, where the image ships app.conf: a tmpfs would hide them (keep a writable root, or mount a volume prepared with the image's files there)",
					Sources:    []string{learnSource("p-app-1")},
				},
			},
		},
		{
			name: "services that agree on a shipped directory are still recorded per service",
			props: []Proposal{
				composed("p-a-1", "a", "localhost/app", shippedConf()),
				composed("p-b-1", "b", "localhost/app", shippedConf()),
			},
			want: []Learned{
				{Image: "localhost/app", Service: "a", NoTmpfs: []string{"/etc/app"}, Verdict: "no", Sources: []string{learnSource("p-a-1")}},
				{Image: "localhost/app", Service: "b", NoTmpfs: []string{"/etc/app"}, Verdict: "no", Sources: []string{learnSource("p-b-1")}},
			},
		},
		{
			name: "a container compose did not make joins the image entry its services agree with",
			props: []Proposal{
				composed("p-web-1", "web", "nginx", Decl{Path: "/run"}),
				composed("plain", "", "nginx", Decl{Path: "/run"}),
			},
			want: []Learned{
				{Image: "nginx", Tmpfs: []string{"/run"}, Sources: []string{learnSource("p-web-1"), learnSource("plain")}},
			},
		},
		{
			name: "a container compose did not make keeps the image entry, a service that differs its own",
			props: []Proposal{
				composed("plain", "", "nginx", Decl{Path: "/run"}),
				composed("p-web-1", "web", "nginx", Decl{Path: "/var/cache/nginx"}),
			},
			want: []Learned{
				{Image: "nginx", Tmpfs: []string{"/run"}, Sources: []string{learnSource("plain")}},
				{Image: "nginx", Service: "web", Tmpfs: []string{"/var/cache/nginx"}, Sources: []string{learnSource("p-web-1")}},
			},
		},
		{
			name: "images in order of appearance; a state path is never also a tmpfs",
			props: []Proposal{
				composed("p-db-1", "db", "postgres:16", Decl{Path: "/var/lib/postgresql", Volume: true}, Decl{Path: "/run/postgresql", Options: "uid=999,gid=999"}),
				composed("p-web-1", "web", "nginx", Decl{Path: "/run"}),
			},
			want: []Learned{
				{Image: "postgres", Tmpfs: []string{"/run/postgresql:uid=999,gid=999"}, Volumes: []string{"/var/lib/postgresql"}, Sources: []string{learnSource("p-db-1")}},
				{Image: "nginx", Tmpfs: []string{"/run"}, Sources: []string{learnSource("p-web-1")}},
			},
		},
		{
			// rofix learn takes containers of several projects at once;
			// a service name says nothing across them.
			name: "one service name in two projects with different images: each image its own",
			props: []Proposal{
				composed("shop-db-1", "db", "postgres:16", Decl{Path: "/var/lib/postgresql", Volume: true}),
				composed("blog-db-1", "db", "mysql:8", Decl{Path: "/var/lib/mysql", Volume: true}),
			},
			want: []Learned{
				{Image: "postgres", Volumes: []string{"/var/lib/postgresql"}, Sources: []string{learnSource("shop-db-1")}},
				{Image: "mysql", Volumes: []string{"/var/lib/mysql"}, Sources: []string{learnSource("blog-db-1")}},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Collect(c.props, "docker", "2026-12-07")
			if len(got) != len(c.want) {
				t.Fatalf("got %d entries, want %d:\n%s", len(got), len(c.want), showLearned(got))
			}
			for i, w := range c.want {
				g := got[i]
				if w.Conditions == "" && w.Verdict != "" {
					w.Conditions = g.Conditions // checked below
				}
				g.withheld = nil
				if showLearned([]Learned{g}) != showLearned([]Learned{w}) {
					t.Errorf("entry %d:\ngot  %s\nwant %s", i, showLearned([]Learned{g}), showLearned([]Learned{w}))
				}
				if g.Verdict == "no" && !strings.Contains(g.Conditions, "/etc/app") {
					t.Errorf("entry %d: conditions %q do not name the directory", i, g.Conditions)
				}
			}
		})
	}
}

// showLearned prints entries one per line, for comparisons and messages.
func showLearned(ls []Learned) string {
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "{image %q service %q tmpfs %q volumes %q image_volumes %q no_tmpfs %q verdict %q conditions %q sources %q}\n",
			l.Image, l.Service, l.Tmpfs, l.Volumes, l.ImageVolumes, l.NoTmpfs, l.Verdict, l.Conditions, l.Sources)
	}
	return b.String()
}

// TestCollectRecorded: what Collect returns for a compose project, recorded
// one entry after another into an absent config, is a config rofix reads,
// with each service's override and the image entry as learned.
func TestCollectRecorded(t *testing.T) {
	learned := Collect([]Proposal{
		composed("p-web-1", "web", "nginx", Decl{Path: "/run"}, Decl{Path: "/var/cache/nginx"}),
		composed("p-static-1", "static", "nginx", Decl{Path: "/run"}),
		composed("p-app-1", "app", "localhost/app", shippedConf(), Decl{Path: "/tmp"}),
		composed("p-db-1", "db", "postgres", Decl{Path: "/var/lib/postgresql", Volume: true}),
	}, "docker", "2026-12-07")
	var src []byte
	for _, l := range learned {
		var err error
		if src, _, err = Record(src, l); err != nil {
			t.Fatalf("%s: %v", showLearned([]Learned{l}), err)
		}
	}
	cfg, err := config.Parse(".rofix.yaml", src)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	if got := slices.Sorted(func(yield func(string) bool) {
		for s := range cfg.Services {
			if !yield(s) {
				return
			}
		}
	}); !slices.Equal(got, []string{"app", "static", "web"}) {
		t.Errorf("services %q, want app, static, web:\n%s", got, src)
	}
	if app := cfg.Services["app"]; app == nil || app.Verdict != policy.DoesNotWork || !slices.Equal(app.NoTmpfs, []string{"/etc/app"}) {
		t.Errorf("service app: %+v", app)
	}
	if len(cfg.Images) != 1 || !slices.Equal(cfg.Images[0].Match, []string{"postgres"}) || !slices.Equal(cfg.Images[0].Volumes, []string{"/var/lib/postgresql"}) {
		t.Errorf("images: want one entry for postgres:\n%s", src)
	}
}

// TestCollectShippedPlainContainer: a container compose did not make that
// writes into a directory its image ships files in is recorded under its
// image; the entry must say so (no_tmpfs there, verdict no), or "rofix -w"
// adds a read-only root on which the container cannot write its pid file.
func TestCollectShippedPlainContainer(t *testing.T) {
	learned := Collect([]Proposal{{Container: Container{Name: "app", Image: "localhost/app"}, Decls: []Decl{shippedConf()}}}, "docker", "2026-12-07")
	if len(learned) != 1 || learned[0].Service != "" || learned[0].Verdict != "no" || !slices.Equal(learned[0].NoTmpfs, []string{"/etc/app"}) {
		t.Fatalf("Collect: %s", showLearned(learned))
	}
	src, _, err := Record(nil, learned[0])
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(".rofix.yaml", src)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	if len(cfg.Images) != 1 {
		t.Fatalf("want one image entry:\n%s", src)
	}
	e := cfg.Images[0]
	if !slices.Equal(e.NoTmpfs, []string{"/etc/app"}) || e.Verdict != policy.DoesNotWork || !strings.Contains(e.Conditions, "/etc/app") {
		t.Errorf("the image entry lost what was learned (no_tmpfs %q, verdict %q, conditions %q):\n%s", e.NoTmpfs, e.Verdict, e.Conditions, src)
	}
}
