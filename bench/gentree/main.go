// Command gentree builds the benchmark tree: the compose corpus replicated,
// generated shell scripts with container run commands, files rofix must
// skip (READMEs, Go, JSON, non-compose YAML, extensionless files with and
// without other languages' shebangs) and matching files under .git,
// node_modules and vendor, which a walk must not enter.
//
// Usage:
//
//	gentree -corpus ../shared/corpus/compose -out DIR [-replicas 10]
//
// The corpus is read where it is; nothing is copied into the repository.
// It prints one line with the counts.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/rofix/rofix/bench/internal/gen"
)

func main() {
	corpus := flag.String("corpus", "../shared/corpus/compose", "compose corpus folder (with SOURCES.tsv)")
	out := flag.String("out", "", "folder to create the tree in (must not exist)")
	replicas := flag.Int("replicas", 10, "number of replicas of the mix")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if _, err := os.Stat(*out); err == nil {
		fatal(fmt.Errorf("%s exists", *out))
	}
	files, err := gen.LoadCorpus(*corpus)
	if err != nil {
		fatal(err)
	}
	c, err := gen.Tree(*out, files, *replicas)
	if err != nil {
		fatal(err)
	}
	fmt.Printf("%s: %d files (%d compose, %d shell, %d under skipped dirs), %d bytes\n",
		*out, c.Files, c.Compose, c.Shell, c.Skipped, c.Bytes)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gentree:", err)
	os.Exit(1)
}
