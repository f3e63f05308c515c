// Command cliprof is rofix's command line with a CPU profile around it, for
// profiling only: it runs the same cli.Main the rofix binary runs, -n times
// (standard input is read once and replayed to each run), and writes a
// pprof CPU profile. The rofix binary itself carries no profiling flag.
//
// Usage:
//
//	cliprof -cpuprofile scan.pprof -- -l TREE
//	cliprof -cpuprofile stdin.pprof -n 2000 -stdin -- --stdin-filename compose.yaml < F
//
// Output of the runs goes to /dev/null; the exit status of the last run is
// printed to standard error.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"

	"github.com/rofix/rofix/rewrite/cli"
)

func main() {
	cpu := flag.String("cpuprofile", "", "write a CPU profile to this file")
	n := flag.Int("n", 1, "number of runs")
	stdin := flag.Bool("stdin", false, "read standard input once and give it to every run")
	flag.Parse()
	if *cpu == "" {
		flag.Usage()
		os.Exit(2)
	}
	if os.Getenv("GOGC") == "" {
		// As cmd/rofix/main.go does, so that the profile shows the binary's
		// garbage collection.
		debug.SetGCPercent(400)
	}
	var in []byte
	if *stdin {
		var err error
		if in, err = io.ReadAll(os.Stdin); err != nil {
			fatal(err)
		}
	}
	f, err := os.Create(*cpu)
	if err != nil {
		fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fatal(err)
	}
	status := 0
	for range *n {
		status = cli.Main(flag.Args(), bytes.NewReader(in), io.Discard, io.Discard)
	}
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		fatal(err)
	}
	fmt.Fprintf(os.Stderr, "cliprof: %d runs, last exit status %d\n", *n, status)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "cliprof:", err)
	os.Exit(1)
}
