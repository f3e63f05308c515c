package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"syscall"

	"mvdan.cc/sh/v3/fileutil"

	"github.com/rofix/rofix/rewrite"
)

// MaxFileSize is the largest file rofix reads; larger files are reported
// and skipped, so a stray dump or binary never costs the whole run.
const MaxFileSize = 32 << 20

// skipDirs are directories a walk never enters.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true}

// A job is one file to process.
type job struct {
	path     string
	explicit bool         // named on the command line
	kind     rewrite.Kind // known from the name, or Unknown until read
	err      error        // a problem found while walking
	note     string       // a message that is not an error
}

// collect expands the command line paths into a sorted list of jobs.
func collect(paths []string) []job {
	var jobs []job
	for _, p := range paths {
		info, err := os.Lstat(p)
		switch {
		case err != nil:
			jobs = append(jobs, job{path: p, explicit: true, err: err})
		case info.IsDir():
			jobs = walk(p, jobs)
		case info.Mode()&fs.ModeSymlink != 0:
			jobs = append(jobs, job{path: p, explicit: true, err: errors.New("is a symlink; rofix does not follow symlinks, name its target")})
		case !info.Mode().IsRegular():
			jobs = append(jobs, job{path: p, explicit: true, err: fmt.Errorf("not a regular file (%s)", info.Mode().Type())})
		default:
			jobs = append(jobs, job{path: p, explicit: true})
		}
	}
	sort.SliceStable(jobs, func(i, j int) bool { return jobs[i].path < jobs[j].path })
	return jobs
}

// walk adds the compose files and shell scripts under root.
func walk(root string, jobs []job) []job {
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			jobs = append(jobs, job{path: path, err: err})
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && skipDirs[name] {
				return filepath.SkipDir
			}
			return nil
		}
		kind := rewrite.Unknown
		switch {
		case rewrite.IsComposeName(name):
			kind = rewrite.Compose
		case rewrite.IsShellName(name):
			kind = rewrite.Shell
		case fileutil.CouldBeScript2(d) == fileutil.ConfIfShebang:
			// A file without an extension: its shebang decides, later.
		default:
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			if kind != rewrite.Unknown {
				jobs = append(jobs, job{path: path, note: "symlink not followed"})
			}
		case !d.Type().IsRegular():
			if kind != rewrite.Unknown {
				jobs = append(jobs, job{path: path, err: fmt.Errorf("not a regular file (%s); skipped", d.Type())})
			}
		default:
			jobs = append(jobs, job{path: path, kind: kind})
		}
		return nil
	})
	if err != nil {
		jobs = append(jobs, job{path: root, err: err})
	}
	return jobs
}

// readFile reads a regular file without following a symlink and without
// blocking on a FIFO that replaced it since the walk.
func readFile(path string) ([]byte, os.FileMode, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if !info.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("not a regular file (%s)", info.Mode().Type())
	}
	if info.Size() > MaxFileSize {
		return nil, 0, fmt.Errorf("file is %d bytes, over the %d MiB limit; skipped", info.Size(), MaxFileSize>>20)
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err == nil && len(src) > MaxFileSize {
		err = fmt.Errorf("file grew over the %d MiB limit while reading; skipped", MaxFileSize>>20)
	}
	return src, info.Mode(), err
}

// hasShellShebang reads just the start of a file for its shebang.
func hasShellShebang(path string) bool {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	var head [128]byte
	n, _ := io.ReadFull(f, head[:])
	return rewrite.IsShellShebang(head[:n])
}
