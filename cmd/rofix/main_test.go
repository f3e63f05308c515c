package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rofix/rofix/rewrite/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"rofix": func() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the command-line specs in testdata/script: every flag,
// every exit status, the walk, stdin mode and in-place writes.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}
