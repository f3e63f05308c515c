// Package gen builds the benchmark inputs: a tree of files that mixes the
// real compose corpus (replicated), generated shell scripts with container
// run commands, and files rofix must skip; a large compose file; and the
// sample files for the stdin (format-on-save) measurements.
//
// Everything is deterministic: the same arguments give the same bytes, so
// two runs of `make bench` measure the same input.
package gen

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/rofix/rofix/bench/internal/pick"
)

// CorpusFile is one compose file of the corpus.
type CorpusFile struct {
	// Rel is the path the file had in its repository, prefixed with the
	// repository's directory in the corpus; the base name is always one
	// rofix treats as compose.
	Rel  string
	Data []byte
}

// LoadCorpus reads the compose corpus at dir (the folder holding
// SOURCES.tsv). Files whose original base name is not a compose name get
// one (compose.<stem>.yml), so that every corpus file is selected.
func LoadCorpus(dir string) ([]CorpusFile, error) {
	f, err := os.Open(filepath.Join(dir, "SOURCES.tsv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var files []CorpusFile
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 4 {
			continue
		}
		local, orig := cols[0], cols[3]
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(local)))
		if err != nil {
			return nil, err
		}
		repoDir := path.Dir(local)
		dirPart, base := path.Split(orig)
		if !pick.IsComposeName(base) {
			base = "compose." + strings.TrimSuffix(strings.TrimSuffix(base, ".yml"), ".yaml") + ".yml"
		}
		files = append(files, CorpusFile{Rel: path.Join(repoDir, dirPart, base), Data: data})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no corpus files listed in SOURCES.tsv", dir)
	}
	return files, nil
}

// Per replica: the whole corpus, ShellPerReplica scripts and OtherPerReplica
// files that must not match, plus a few files under skipped directories.
const (
	ShellPerReplica = 300
	OtherPerReplica = 500
)

// Counts tells what a generated tree holds.
type Counts struct {
	Files   int // every regular file written
	Compose int // files selected as compose
	Shell   int // files selected as shell (by name or shebang)
	Skipped int // files under .git, node_modules or vendor
	Bytes   int64
}

// Tree writes replicas copies of the mix under out, each in its own
// directory rNNN. out must not exist or be empty.
func Tree(out string, corpus []CorpusFile, replicas int) (Counts, error) {
	var c Counts
	w := writer{c: &c}
	for r := 0; r < replicas; r++ {
		root := filepath.Join(out, fmt.Sprintf("r%03d", r))
		rng := rand.New(rand.NewPCG(uint64(r), 0x70f1c))
		for _, cf := range corpus {
			w.write(filepath.Join(root, filepath.FromSlash(cf.Rel)), cf.Data)
			c.Compose++
		}
		for i := 0; i < ShellPerReplica; i++ {
			rel, data := shellFile(rng, i)
			w.write(filepath.Join(root, rel), data)
			c.Shell++
		}
		for i := 0; i < OtherPerReplica; i++ {
			rel, data := otherFile(rng, i)
			w.write(filepath.Join(root, rel), data)
		}
		// Directories a walk must not enter, holding files that would
		// otherwise match.
		for _, rel := range []string{
			".git/hooks/pre-commit.sh", ".git/config",
			"node_modules/pkg/compose.yaml", "node_modules/pkg/bin/run.sh",
			"vendor/example.com/lib/docker-compose.yml", "vendor/example.com/lib/start.sh",
		} {
			var data []byte
			if strings.HasSuffix(rel, ".yml") || strings.HasSuffix(rel, ".yaml") {
				data = corpus[r%len(corpus)].Data
			} else {
				data = Script(rng, 1500)
			}
			w.write(filepath.Join(root, rel), data)
			c.Skipped++
		}
		if w.err != nil {
			return c, w.err
		}
	}
	return c, w.err
}

type writer struct {
	c   *Counts
	err error
}

func (w *writer) write(name string, data []byte) {
	if w.err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		w.err = err
		return
	}
	mode := os.FileMode(0o644)
	if bytes.HasPrefix(data, []byte("#!")) {
		mode = 0o755
	}
	if err := os.WriteFile(name, data, mode); err != nil {
		w.err = err
		return
	}
	w.c.Files++
	w.c.Bytes += int64(len(data))
}

// scriptDirs hold the scripts; none is a directory a walk skips by default
// (test fixtures such as test/ or e2e/: rewrite/cli/skip.go), so that rofix
// and the floors do the same work.
var scriptDirs = []string{"scripts", "bin", "deploy", "ci", "tools/dev", "hack", "docker", "tools/ops"}

// shellFile returns the i-th shell script of a replica: mostly .sh, some
// .bash, and some without extension that only their shebang identifies.
func shellFile(rng *rand.Rand, i int) (string, []byte) {
	dir := scriptDirs[i%len(scriptDirs)]
	size := 600 + rng.IntN(3400)
	data := Script(rng, size)
	switch i % 10 {
	case 7:
		return fmt.Sprintf("%s/run-%03d.bash", dir, i), data
	case 8, 9:
		return fmt.Sprintf("%s/start-%03d", dir, i), data
	}
	return fmt.Sprintf("%s/up-%03d.sh", dir, i), data
}

// Script returns a shell script of about size bytes (never less) that
// starts containers the way real scripts do: docker and podman run with
// binds, env, ports, sometimes already hardened, inside functions, loops,
// conditionals and line continuations, among ordinary commands.
func Script(rng *rand.Rand, size int) []byte {
	var b bytes.Buffer
	if rng.IntN(2) == 0 {
		b.WriteString("#!/bin/sh\n")
	} else {
		b.WriteString("#!/usr/bin/env bash\n")
	}
	b.WriteString("# Starts the development stack.\nset -eu\n\n")
	fmt.Fprintf(&b, "NAME=${NAME:-app%d}\nIMAGE=\"registry.example.com/team/${NAME}:%d.%d\"\nDATA_DIR=\"$(pwd)/data\"\n\n", rng.IntN(100), rng.IntN(5), rng.IntN(20))
	for n := 0; b.Len() < size; n++ {
		switch rng.IntN(6) {
		case 0:
			fmt.Fprintf(&b, "start_%d() {\n\t%s\n}\n\nstart_%d \"$@\"\n\n", n, runCommand(rng), n)
		case 1:
			fmt.Fprintf(&b, "if [ -n \"${DEBUG:-}\" ]; then\n\techo \"starting %s\" >&2\nfi\n%s\n\n", images[rng.IntN(len(images))], runCommand(rng))
		case 2:
			fmt.Fprintf(&b, "for i in 1 2 3; do\n\t%s\ndone\n\n", runCommand(rng))
		case 3:
			b.WriteString("mkdir -p \"$DATA_DIR\"\ncp -r ./config \"$DATA_DIR/\" 2>/dev/null || true\nlog() { printf '%s %s\\n' \"$(date +%T)\" \"$*\"; }\nlog \"ready\"\n\n")
		case 4:
			b.WriteString("cat > \"$DATA_DIR/env\" <<EOF\nNAME=$NAME\nIMAGE=$IMAGE\nEOF\n\n")
		default:
			b.WriteString(runCommand(rng))
			b.WriteString("\n\n")
		}
	}
	return b.Bytes()
}

var images = []string{
	"nginx:1.27", "postgres:16", "redis:7-alpine", "$IMAGE", "\"$IMAGE\"", "alpine:3.20",
	"grafana/grafana:11.0.0", "prom/prometheus", "busybox", "traefik:v3.1",
}

var runFlags = []string{
	"-d", "--rm", "-it", "--name \"$NAME\"", "-p 8080:80", "-p 127.0.0.1:5432:5432",
	"-e POSTGRES_PASSWORD=secret", "--env-file .env", "-v \"$DATA_DIR\":/var/lib/data",
	"-v ./config/app.conf:/etc/app/app.conf", "-v /var/run/docker.sock:/var/run/docker.sock",
	"--volume \"$(pwd)\":/src:z", "-v cache:/cache", "--network host", "--restart unless-stopped",
	"--read-only", "--security-opt no-new-privileges", "--tmpfs /tmp", "--mount type=bind,src=./certs,dst=/certs",
	"-w /src", "--user 1000:1000",
}

func runCommand(rng *rand.Rand) string {
	var b strings.Builder
	if rng.IntN(4) == 0 {
		b.WriteString("podman run")
	} else {
		b.WriteString("docker run")
	}
	nflags := 1 + rng.IntN(6)
	cont := rng.IntN(3) == 0
	for i := 0; i < nflags; i++ {
		if cont {
			b.WriteString(" \\\n\t\t")
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(runFlags[rng.IntN(len(runFlags))])
	}
	b.WriteByte(' ')
	b.WriteString(images[rng.IntN(len(images))])
	switch rng.IntN(3) {
	case 0:
		b.WriteString(" sh -c 'echo hello; sleep 1'")
	case 1:
		b.WriteString(" --config /etc/app/app.conf")
	}
	return b.String()
}

// otherFile returns the i-th file of a replica that rofix must not select:
// documentation, Go and JSON sources, YAML that is not compose by name,
// extensionless files with no shebang or another language's shebang.
func otherFile(rng *rand.Rand, i int) (string, []byte) {
	n := 1000 + rng.IntN(3000)
	dir := fmt.Sprintf("pkg/mod%02d", i%25)
	switch i % 10 {
	case 0:
		return fmt.Sprintf("docs/page-%03d/README.md", i), filler(rng, "## Notes\n\nRun `docker compose up -d` and open the page.\n\n", n)
	case 1, 2:
		return fmt.Sprintf("%s/file%03d.go", dir, i), filler(rng, "package mod\n\n// F does nothing.\nfunc F() int { return 1 }\n", n)
	case 3:
		return fmt.Sprintf("%s/data%03d.json", dir, i), filler(rng, "{\"name\": \"x\", \"services\": {\"web\": {\"image\": \"nginx\"}}}\n", n)
	case 4:
		return fmt.Sprintf(".github/workflows/ci-%03d.yml", i), filler(rng, "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    services:\n      db:\n        image: postgres\n", n)
	case 5:
		return fmt.Sprintf("deploy/helm/values-%03d.yaml", i), filler(rng, "services:\n  web:\n    image: nginx\n    volumes: [\"./a:/a\"]\n", n)
	case 6:
		return fmt.Sprintf("tools/tool%03d", i), filler(rng, "#!/usr/bin/env python3\nimport subprocess\nsubprocess.run([\"docker\", \"run\", \"nginx\"])\n", n)
	case 7:
		return fmt.Sprintf("tools/node%03d", i), filler(rng, "#!/usr/bin/node\nconsole.log('docker run -d nginx');\n", n)
	case 8:
		return fmt.Sprintf("%s/LICENSE%03d", dir, i), filler(rng, "Permission is hereby granted, free of charge, to any person.\n", n)
	}
	return fmt.Sprintf("%s/notes%03d.txt", dir, i), filler(rng, "docker run --rm -v .:/src alpine ls\n", n)
}

var words = strings.Fields("the container runs as a service with a volume and a port; see the docs for the image tag and the network")

// filler returns head followed by comment-like text lines up to n bytes.
func filler(rng *rand.Rand, head string, n int) []byte {
	var b bytes.Buffer
	b.WriteString(head)
	for b.Len() < n {
		b.WriteString("# ")
		for j := 0; j < 10; j++ {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}
