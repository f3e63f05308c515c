package trial

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rofix/rofix/rewrite/learn"
)

// BenchmarkOverhead measures what a trial of the six real servers costs
// rofix itself, beyond the engine's time: two scratch copies of the project
// directory and their compose files without ports, the host-write check of
// two resolved configs, recording what was learned in a new .rofix.yaml and
// hardening the compose file with it (once per round), and parsing the
// engine's inspect output at every poll of two runs (60 polls of six
// containers: 30 s of observation at 500 ms). The goal is well under a
// second per trial.
func BenchmarkOverhead(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("..", "..", "e2e", "testdata", "realapps", "compose.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	project := b.TempDir()
	if err := os.WriteFile(filepath.Join(project, "compose.yaml"), src, 0o644); err != nil {
		b.Fatal(err)
	}
	for i := range 20 { // a project directory with a few files (configs, a site)
		if err := os.WriteFile(filepath.Join(project, fmt.Sprintf("file%d.conf", i)), make([]byte, 4096), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	learned := []learn.Learned{
		{Image: "localhost/realapps-nginx", Tmpfs: []string{"/run", "/var/lib/nginx"}, Sources: []string{"rofix try"}},
		{Image: "localhost/realapps-postgres", Tmpfs: []string{"/run/postgresql:uid=103,gid=105"}, Volumes: []string{"/var/lib/postgresql"}, Sources: []string{"rofix try"}},
		{Image: "localhost/realapps-mariadb", Tmpfs: []string{"/run/mysqld:uid=100,gid=101"}, Volumes: []string{"/var/lib/mysql"}, Sources: []string{"rofix try"}},
		{Image: "localhost/realapps-apache", Tmpfs: []string{"/run/apache2", "/var/log/apache2"}, Sources: []string{"rofix try"}},
		{Service: "nginx", Tmpfs: []string{"/var/log/nginx"}, Sources: []string{"rofix try"}},
	}
	inspect := benchInspect(b, 6)
	config := []byte("services:\n  redis:\n    image: x\n    volumes:\n      - redis-data:/var/lib/redis\n      - " + project + "/site:/site:ro\nvolumes:\n  redis-data: {}\n")
	t := &trial{p: &Project{Dir: project, Files: []string{"compose.yaml"}, Src: [][]byte{src}, Shown: "compose.yaml"}, cfgShown: ".rofix.yaml"}
	b.ResetTimer()
	for range b.N {
		scratch := b.TempDir()
		for _, run := range []string{"o", "h1"} {
			dir := filepath.Join(scratch, run)
			if err := copyTree(project, dir); err != nil {
				b.Fatal(err)
			}
			if _, err := ForTrial(src); err != nil {
				b.Fatal(err)
			}
			if _, err := hostWrites(config, dir); err != nil {
				b.Fatal(err)
			}
		}
		if _, _, _, err := t.hardened(learned); err != nil {
			b.Fatal(err)
		}
		for range 60 {
			cs, err := parseContainers(inspect)
			if err != nil {
				b.Fatal(err)
			}
			classify(cs)
		}
	}
}

// benchInspect returns an inspect output of n running containers.
func benchInspect(b *testing.B, n int) []byte {
	all := make([]inspectJSON, n)
	for i := range all {
		c := &all[i]
		c.ID, c.Name = fmt.Sprintf("%064d", i), fmt.Sprintf("/p-s%d-1", i)
		c.State.Status = "running"
		c.Config.Labels = map[string]string{learn.LabelProject: "p", learn.LabelService: fmt.Sprintf("s%d", i)}
		c.HostConfig.ReadonlyRootfs = true
		c.HostConfig.SecurityOpt = []string{"no-new-privileges:true"}
		c.HostConfig.Tmpfs = map[string]string{"/tmp": "", "/run": ""}
	}
	out, err := json.Marshal(all)
	if err != nil {
		b.Fatal(err)
	}
	return out
}
