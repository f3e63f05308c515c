// Command parse is the floor of the repository scan: it walks the tree the
// way rofix -l does (same selection, same skipped directories), reads each
// selected file once and parses it once, compose files with yaml.v3 into a
// yaml.Node per document and shell scripts with mvdan.cc/sh/v3/syntax, on all cores.
// That is what locating nodes plus verifying by re-parse costs at the very
// least; it edits nothing and prints only a count to standard error.
//
// Usage:
//
//	parse DIR...
package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"gopkg.in/yaml.v3"
	"mvdan.cc/sh/v3/fileutil"
	"mvdan.cc/sh/v3/syntax"

	"github.com/rofix/rofix/bench/internal/pick"
)

type job struct {
	path string
	kind pick.Kind
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: parse DIR...")
		os.Exit(2)
	}
	jobs := make(chan job, 64)
	var composeN, shellN, errN atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bashP := syntax.NewParser(syntax.KeepComments(true), syntax.Variant(syntax.LangBash))
			posixP := syntax.NewParser(syntax.KeepComments(true), syntax.Variant(syntax.LangPOSIX))
			kornP := syntax.NewParser(syntax.KeepComments(true), syntax.Variant(syntax.LangMirBSDKorn))
			for j := range jobs {
				src, ok := read(j)
				if !ok {
					continue
				}
				if j.kind == pick.Compose {
					composeN.Add(1)
					if parseYAML(src) != nil {
						errN.Add(1)
					}
					continue
				}
				shellN.Add(1)
				p := bashP
				switch fileutil.Shebang(src) {
				case "sh", "dash", "ash":
					p = posixP
				case "ksh", "mksh":
					p = kornP
				}
				if _, err := p.Parse(bytes.NewReader(src), j.path); err != nil {
					errN.Add(1)
				}
			}
		}()
	}
	for _, root := range os.Args[1:] {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errN.Add(1)
				return nil
			}
			if d.IsDir() {
				if path != root && pick.SkipDir(d.Name()) {
					return filepath.SkipDir
				}
				return nil
			}
			if k := pick.Entry(d); k != pick.None {
				jobs <- job{path, k}
			}
			return nil
		})
		if err != nil {
			errN.Add(1)
		}
	}
	close(jobs)
	wg.Wait()
	fmt.Fprintf(os.Stderr, "parsed %d compose, %d shell; %d errors\n", composeN.Load(), shellN.Load(), errN.Load())
}

// parseYAML parses every document of a YAML stream into a yaml.Node, as
// rofix must (a compose file may hold several documents).
func parseYAML(src []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// read returns a selected file's content. A file that only its shebang can
// select is opened once: its first 128 bytes decide, and only a shell
// script is read on to the end.
func read(j job) ([]byte, bool) {
	if j.kind != pick.IfShebang {
		src, err := os.ReadFile(j.path)
		return src, err == nil
	}
	f, err := os.Open(j.path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	var head [128]byte
	n, _ := io.ReadFull(f, head[:])
	if !pick.ShellShebang(head[:n]) {
		return nil, false
	}
	rest, err := io.ReadAll(f)
	if err != nil {
		return nil, false
	}
	return append(head[:n:n], rest...), true
}
