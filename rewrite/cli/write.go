package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// writeAtomic replaces path's content with out, if the file still holds
// src. It writes a temporary file in the same directory, syncs it, gives it
// the original mode and renames it over the original, so a reader sees the
// old content or the new, never a mix. On any failure the original is
// untouched and the temporary file removed. It refuses to write through a
// symlink.
func writeAtomic(path string, src, out []byte, mode os.FileMode) (err error) {
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return errors.New("no longer a regular file")
	}
	if info.Mode().Perm()&0o200 == 0 {
		// Renaming over it would succeed; honour the read-only mode instead.
		return errors.New("the file is read-only")
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".rofix-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(out); err != nil {
		return err
	}
	if err = tmp.Chmod(mode.Perm()); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	// Detect a concurrent change: an editor or another tool wrote the file
	// after rofix read it. Never clobber it.
	now, _, err := readFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(now, src) {
		return fmt.Errorf("changed since rofix read it; not overwritten")
	}
	return os.Rename(tmp.Name(), path)
}
