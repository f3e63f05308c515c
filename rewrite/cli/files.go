package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"syscall"

	"github.com/rofix/rofix/rewrite"
)

// MaxFileSize is the largest file rofix reads; larger files are reported
// and skipped, so a stray dump or binary never costs the whole run.
const MaxFileSize = 32 << 20

// A job is one file to process.
type job struct {
	path     string
	explicit bool         // named on the command line
	kind     rewrite.Kind // known from the name, or Unknown until read
	err      error        // a problem found while walking
	note     string       // a message that is not an error
	quiet    bool         // the note is printed only with -v
	// skip says why a walk leaves the file or directory alone (skip.go);
	// forced that an include pattern of the config re-admitted it.
	skip   *skip
	forced bool
}

// collect yields the jobs for the command line paths, sorted: the paths in
// byte order, each directory's files in byte order of their full paths.
func collect(opts *options, paths []string, yield func(job)) {
	w := &walker{opts: opts, yield: yield}
	paths = append([]string(nil), paths...)
	sort.Strings(paths)
	for _, p := range paths {
		info, err := os.Lstat(p)
		switch {
		case err != nil:
			yield(job{path: p, explicit: true, err: err})
		case info.IsDir():
			w.walk(p)
		case info.Mode()&fs.ModeSymlink != 0:
			yield(job{path: p, explicit: true, err: errors.New("is a symlink; rofix does not follow symlinks, name its target")})
		case !info.Mode().IsRegular():
			yield(job{path: p, explicit: true, err: fmt.Errorf("not a regular file (%s)", info.Mode().Type())})
		default:
			yield(job{path: p, explicit: true})
		}
	}
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
	src, err := readAll(io.LimitReader(f, MaxFileSize+1), info.Size())
	if err == nil && len(src) > MaxFileSize {
		err = fmt.Errorf("file grew over the %d MiB limit while reading; skipped", MaxFileSize>>20)
	}
	return src, info.Mode(), err
}

// readAll is io.ReadAll with a buffer sized for the size bytes a file
// had when opened: io.ReadAll starts from 512 bytes and grows, which
// costs a read call and a copy per step. It reads on past size (a file
// that grew, or one whose size is not known) as io.ReadAll does.
func readAll(r io.Reader, size int64) ([]byte, error) {
	// +1: the read that meets EOF; 512 as io.ReadAll when size is unknown.
	b := make([]byte, 0, max(size+1, 512))
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
	}
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
