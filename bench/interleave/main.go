// Command interleave times commands the way hyperfine does, but runs them
// in turn (A, B, C, A, B, C, ...) instead of all runs of A, then all of B,
// so that every command meets the same background load: on a shared
// machine this keeps the ratios honest when the absolute times are not.
// It starts each command directly (no shell), with standard input from a
// file when the command line ends in "<FILE", and its output discarded.
//
// Usage:
//
//	interleave -runs 300 -warmup 20 -export-json out.json \
//		'copy=./copy <in.yaml' 'rofix=./rofix --stdin-filename compose.yaml <in.yaml'
//
// Each argument is NAME=COMMAND, split on spaces (no quoting). The JSON
// has hyperfine's shape (results: command, median, mean, stddev, min, max,
// user, system, times; seconds), so bench/report reads both alike.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/rofix/rofix/bench/internal/hyperfine"
)

type command struct {
	name  string
	argv  []string
	stdin string
}

func main() {
	runs := flag.Int("runs", 100, "timed runs of each command")
	warmup := flag.Int("warmup", 10, "untimed runs of each command first")
	out := flag.String("export-json", "", "write the results here")
	flag.Parse()
	var cmds []command
	for _, arg := range flag.Args() {
		name, line, ok := strings.Cut(arg, "=")
		fields := strings.Fields(line)
		if !ok || len(fields) == 0 {
			fatal(fmt.Errorf("want NAME=COMMAND, got %q", arg))
		}
		c := command{name: name}
		if last := fields[len(fields)-1]; strings.HasPrefix(last, "<") {
			c.stdin, fields = last[1:], fields[:len(fields)-1]
		}
		c.argv = fields
		cmds = append(cmds, c)
	}
	if len(cmds) == 0 || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	res := make([]hyperfine.Result, len(cmds))
	for i := range res {
		res[i].Command = cmds[i].name
	}
	for r := 0; r < *warmup+*runs; r++ {
		for i, c := range cmds {
			wall, user, sys, err := run(c)
			if err != nil {
				fatal(fmt.Errorf("%s: %v", c.name, err))
			}
			if r >= *warmup {
				res[i].Times = append(res[i].Times, wall)
				res[i].User += user / float64(*runs)
				res[i].System += sys / float64(*runs)
			}
		}
	}
	for i := range res {
		summarize(&res[i])
		fmt.Printf("%-12s median %8.3f ms  min %8.3f ms  mean %8.3f ms  user+sys %8.3f ms\n",
			res[i].Command, res[i].Median*1e3, res[i].Min*1e3, res[i].Mean*1e3, (res[i].User+res[i].System)*1e3)
	}
	data, err := json.MarshalIndent(struct {
		Results []hyperfine.Result `json:"results"`
	}{res}, "", "  ")
	if err == nil {
		err = os.WriteFile(*out, data, 0o644)
	}
	if err != nil {
		fatal(err)
	}
}

// run starts c once and returns its wall, user and system times in
// seconds. A non-zero exit status is not an error: rofix exits 2 when an
// input file has a syntax error, which the bench's inputs include.
func run(c command) (wall, user, sys float64, err error) {
	cmd := exec.Command(c.argv[0], c.argv[1:]...)
	if c.stdin != "" {
		f, err := os.Open(c.stdin)
		if err != nil {
			return 0, 0, 0, err
		}
		defer f.Close()
		cmd.Stdin = f
	}
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start).Seconds()
	if _, ok := err.(*exec.ExitError); ok {
		err = nil
	}
	if err != nil {
		return 0, 0, 0, err
	}
	return wall, cmd.ProcessState.UserTime().Seconds(), cmd.ProcessState.SystemTime().Seconds(), nil
}

func summarize(r *hyperfine.Result) {
	t := slices.Clone(r.Times)
	slices.Sort(t)
	n := len(t)
	r.Min, r.Max = t[0], t[n-1]
	r.Median = t[n/2]
	if n%2 == 0 {
		r.Median = (t[n/2-1] + t[n/2]) / 2
	}
	for _, x := range t {
		r.Mean += x / float64(n)
	}
	for _, x := range t {
		r.Stddev += (x - r.Mean) * (x - r.Mean) / float64(n)
	}
	r.Stddev = math.Sqrt(r.Stddev)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "interleave:", err)
	os.Exit(1)
}
