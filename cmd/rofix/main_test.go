package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"rofix": func() { os.Exit(dispatch(os.Args[1:])) },
	})
}

// TestScripts runs the command-line specs in testdata/script: every flag,
// every exit status, the walk, stdin mode and in-place writes.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}
