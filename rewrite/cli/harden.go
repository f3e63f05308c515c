package cli

import (
	"os"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/policy"
)

// Harden hardens the compose file at path, whose content is src, with the
// policy pol, exactly as "rofix -w" would (the files of its tree, such as
// a build: context's Dockerfile and the other files of its compose set,
// readable as rofix reads them): the result
// holds what -w writes. "rofix try" hardens with it.
func Harden(path string, src []byte, pol policy.Policy) *rewrite.Result {
	return rewrite.Process(path, src, rewrite.Compose, withTree(pol, path, nil))
}

// WriteFile replaces the content of the file at path, which must still be
// src, with out, atomically and keeping its mode, as "rofix -w" writes; it
// never writes through a symlink.
func WriteFile(path string, src, out []byte) error {
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if err := writeAtomic(path, src, out, info.Mode()); err != nil {
		return &os.PathError{Op: "write", Path: path, Err: err}
	}
	return nil
}
