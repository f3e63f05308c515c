// Package rewrite is rofix's engine: it turns a file that starts containers
// (a Compose file or a shell script) into findings and byte-range edits on the
// original text, applies the edits in one place, and verifies the result
// before anything is written.
//
// The engines for each file kind live in sub-packages (compose, shell); the
// pieces they share live beside them: edit (byte-range edits), policy (which
// rules apply and which mounts may become read-only), directive (ignore
// comments), textpos (line and column arithmetic), diff (unified diffs) and
// cli (the command line).
package rewrite
