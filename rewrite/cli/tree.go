package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/rofix/rofix/rewrite/policy"
)

// MaxTreeFileSize is the largest file of the tree (a Dockerfile) that the
// engines may read next to the file they harden.
const MaxTreeFileSize = 1 << 20

// withTree returns pol with a ReadFile hook that reads files named
// relative to file's directory, inside the tree: the nearest directory
// above it holding .git, else file's own directory. It refuses absolute
// paths, paths that leave the tree, paths through a symlink, files that
// are not regular and files over MaxTreeFileSize. The tree's root is
// looked for on the first read (most files read nothing else), through
// roots when it is not nil, and the directories found to be no symlink
// are remembered for the file's other reads.
func withTree(pol policy.Policy, file string, roots *treeRoots) policy.Policy {
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		return pol
	}
	root := sync.OnceValue(func() string { return roots.root(dir) })
	seen := &checked{dirs: map[string]bool{}}
	pol.ReadFile = func(rel string) ([]byte, error) { return readInTree(root(), dir, rel, seen) }
	pol.Stat = func(rel string) policy.PathKind { return statInTree(root(), dir, rel, seen) }
	return pol
}

// checked remembers the paths inTree found to exist and be no symlink;
// nil remembers nothing.
type checked struct {
	mu   sync.Mutex
	dirs map[string]bool
}

func (c *checked) has(p string) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dirs[p]
}

func (c *checked) add(p string) {
	if c != nil {
		c.mu.Lock()
		c.dirs[p] = true
		c.mu.Unlock()
	}
}

// inTree returns the path of rel (slash-separated, relative to dir) when
// it lies in the tree under root and no directory on the way is a symlink;
// the elements in seen are known to be none. The target itself is not
// looked at: the caller reads or stats it without following a symlink
// (one system call, where a check here would make two).
func inTree(root, dir, rel string, seen *checked) (string, error) {
	if rel == "" || path.IsAbs(rel) || filepath.IsAbs(rel) || strings.Contains(rel, `\`) {
		return "", errors.New("not a relative path; rofix reads only files of the tree")
	}
	target := filepath.Join(dir, filepath.FromSlash(rel))
	inside, err := filepath.Rel(root, target)
	if err != nil || inside == ".." || strings.HasPrefix(inside, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("outside the tree (%s); not read", root)
	}
	cur := root
	parts := strings.Split(inside, string(filepath.Separator))
	for _, part := range parts[:len(parts)-1] {
		cur = filepath.Join(cur, part)
		if seen.has(cur) {
			continue
		}
		info, err := os.Lstat(cur)
		if err != nil {
			return "", trimPathError(err)
		}
		if info.Mode()&os.ModeSymlink != 0 {
			return "", errSymlink()
		}
		seen.add(cur)
	}
	return target, nil
}

// errSymlink is the error of a path through a symlink.
func errSymlink() error { return errors.New("passes through a symlink; not followed") }

// statInTree says whether rel (as readInTree takes it) is a regular file
// or a directory of the tree; PathUnknown when it is absent, outside the
// tree, or passes through a symlink.
func statInTree(root, dir, rel string, seen *checked) policy.PathKind {
	target, err := inTree(root, dir, rel, seen)
	if err != nil {
		return policy.PathUnknown
	}
	info, err := os.Lstat(target)
	switch {
	case err != nil:
		return policy.PathUnknown
	case info.Mode().IsRegular():
		return policy.PathFile
	case info.IsDir():
		return policy.PathDir
	}
	return policy.PathUnknown
}

// treeRoot returns the nearest directory at or above dir holding .git, or
// dir itself.
func treeRoot(dir string) string { return (*treeRoots)(nil).root(dir) }

// treeRoots remembers, for the directories of a run, the nearest
// directory at or above each that holds .git ("" for none): the files of
// a directory and the directories of a tree share the lookups, which
// otherwise go up to / for every file. It forgets everything once it
// holds maxTreeRoots directories. Safe for concurrent use; a nil
// *treeRoots remembers nothing.
type treeRoots struct {
	mu  sync.Mutex
	git map[string]string
}

const maxTreeRoots = 4096

// root returns the tree root of dir: the nearest directory at or above it
// holding .git, or dir itself.
func (r *treeRoots) root(dir string) string {
	if g := r.gitAt(dir); g != "" {
		return g
	}
	return dir
}

// gitAt returns the nearest directory at or above d holding .git, or "".
func (r *treeRoots) gitAt(d string) string {
	if r != nil {
		r.mu.Lock()
		g, ok := r.git[d]
		r.mu.Unlock()
		if ok {
			return g
		}
	}
	var g string
	if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
		g = d
	} else if parent := filepath.Dir(d); parent != d {
		g = r.gitAt(parent)
	}
	if r != nil {
		r.mu.Lock()
		if len(r.git) >= maxTreeRoots {
			clear(r.git)
		}
		r.git[d] = g
		r.mu.Unlock()
	}
	return g
}

// readInTree reads rel (slash-separated, relative to dir) if it lies in the
// tree under root, without following a symlink on the way.
func readInTree(root, dir, rel string, seen *checked) ([]byte, error) {
	target, err := inTree(root, dir, rel, seen)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(target, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, errSymlink() // O_NOFOLLOW refuses a symlink as the target
	}
	if err != nil {
		return nil, trimPathError(err)
	}
	defer f.Close()
	info, err := f.Stat()
	switch {
	case err != nil:
		return nil, trimPathError(err)
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("not a regular file (%s)", info.Mode().Type())
	case info.Size() > MaxTreeFileSize:
		return nil, fmt.Errorf("%d bytes, over the %d KiB limit", info.Size(), MaxTreeFileSize>>10)
	}
	src, err := readAll(io.LimitReader(f, MaxTreeFileSize+1), info.Size())
	if err == nil && len(src) > MaxTreeFileSize {
		err = fmt.Errorf("grew over the %d KiB limit while read", MaxTreeFileSize>>10)
	}
	return src, err
}
