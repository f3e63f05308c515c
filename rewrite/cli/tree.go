package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
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
// are not regular and files over MaxTreeFileSize.
func withTree(pol policy.Policy, file string) policy.Policy {
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		return pol
	}
	root := treeRoot(dir)
	pol.ReadFile = func(rel string) ([]byte, error) { return readInTree(root, dir, rel) }
	pol.Stat = func(rel string) policy.PathKind { return statInTree(root, dir, rel) }
	return pol
}

// inTree returns the path of rel (slash-separated, relative to dir) when
// it lies in the tree under root and no element on the way is a symlink.
func inTree(root, dir, rel string) (string, error) {
	if rel == "" || path.IsAbs(rel) || filepath.IsAbs(rel) || strings.Contains(rel, `\`) {
		return "", errors.New("not a relative path; rofix reads only files of the tree")
	}
	target := filepath.Join(dir, filepath.FromSlash(rel))
	inside, err := filepath.Rel(root, target)
	if err != nil || inside == ".." || strings.HasPrefix(inside, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("outside the tree (%s); not read", root)
	}
	cur := root
	for _, part := range strings.Split(inside, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		info, err := os.Lstat(cur)
		if err != nil {
			return "", trimPathError(err)
		}
		if info.Mode()&os.ModeSymlink != 0 {
			return "", errors.New("passes through a symlink; not followed")
		}
	}
	return target, nil
}

// statInTree says whether rel (as readInTree takes it) is a regular file
// or a directory of the tree; PathUnknown when it is absent, outside the
// tree, or passes through a symlink.
func statInTree(root, dir, rel string) policy.PathKind {
	target, err := inTree(root, dir, rel)
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
func treeRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// readInTree reads rel (slash-separated, relative to dir) if it lies in the
// tree under root, without following a symlink on the way.
func readInTree(root, dir, rel string) ([]byte, error) {
	target, err := inTree(root, dir, rel)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(target, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
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
	src, err := io.ReadAll(io.LimitReader(f, MaxTreeFileSize+1))
	if err == nil && len(src) > MaxTreeFileSize {
		err = fmt.Errorf("grew over the %d KiB limit while read", MaxTreeFileSize>>10)
	}
	return src, err
}
