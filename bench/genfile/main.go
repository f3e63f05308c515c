// Command genfile writes one generated input file to standard output: a
// compose file (-kind compose, services none of which is hardened) or a
// shell script with container run commands (-kind shell), of at least
// -size bytes. The bench uses it for the 10 MB compose file and the 2 KB
// script of the stdin measurement.
//
// Usage:
//
//	genfile -kind compose -size 10485760 > compose.yaml
//	genfile -kind shell -size 2048 > script.sh
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/rofix/rofix/bench/samples"

	"github.com/rofix/rofix/bench/internal/gen"
)

func main() {
	kind := flag.String("kind", "compose", "compose or shell")
	size := flag.Int("size", 10<<20, "minimum size in bytes")
	seed := flag.Uint64("seed", 1, "seed for -kind shell")
	flag.Parse()
	var data []byte
	switch *kind {
	case "compose":
		data = samples.BigCompose(*size)
	case "shell":
		data = gen.Script(rand.New(rand.NewPCG(*seed, 2)), *size)
	default:
		fmt.Fprintf(os.Stderr, "genfile: unknown -kind %q\n", *kind)
		os.Exit(2)
	}
	if _, err := os.Stdout.Write(data); err != nil {
		fmt.Fprintln(os.Stderr, "genfile:", err)
		os.Exit(1)
	}
}
