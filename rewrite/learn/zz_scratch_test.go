package learn

import (
	"fmt"
	"testing"
)

func TestZZScratch(t *testing.T) {
	mk := func(name, svc, image string, decls ...Decl) Proposal {
		return Proposal{Container: Container{Name: name, Image: image, Service: svc}, Decls: decls}
	}
	got := Collect([]Proposal{
		mk("p1-db-1", "db", "postgres:16", Decl{Path: "/var/lib/postgresql", Volume: true}),
		mk("p2-db-1", "db", "mysql:8", Decl{Path: "/var/lib/mysql", Volume: true}),
	}, "docker", "2026-12-07")
	fmt.Printf("%+v\n", got)
	got = Collect([]Proposal{
		mk("plain", "", "localhost/app", Decl{Path: "/etc/app", Existing: true, Shipped: []string{"app.conf"}, Evidence: []Change{{'A', "/etc/app/app.pid"}}}),
	}, "docker", "2026-12-07")
	fmt.Printf("%+v\n", got)
	out, act, err := Record(nil, got[0])
	fmt.Printf("%s %v\n%s", act, err, out)
}
