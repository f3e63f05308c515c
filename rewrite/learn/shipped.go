package learn

import (
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"sort"
	"strings"
)

// ListFunc returns the names of the entries directly in a directory of a
// container, at most max of those not in skip (the names the container
// added or changed there), leaving out empty files (see ListArchive).
type ListFunc func(dir string, skip map[string]bool, max int) ([]string, error)

// maxShipped bounds the shipped names kept per directory (for the report).
const maxShipped = 3

// MarkShipped sets Shipped on each tmpfs declaration of a directory the
// image already had: the entries found there that the container neither
// added nor changed are the image's own files, and a tmpfs would hide them
// (the app would then run with a different configuration, or not at all).
// Empty files do not count: a package's empty log file is made again by
// the app that writes it; nor does anything in /run, /tmp or /var/tmp,
// which are emptied at every boot. Such a
// path is never a tmpfs; ForShipped says what the service gets instead.
func MarkShipped(pr *Proposal, list ListFunc) error {
	for i := range pr.Decls {
		d := &pr.Decls[i]
		if d.Volume || !d.Existing || Volatile(d.Path) {
			continue
		}
		skip := map[string]bool{}
		for _, ev := range d.Evidence {
			if path.Dir(ev.Path) == d.Path {
				skip[path.Base(ev.Path)] = true
			}
		}
		for f := range engineFiles {
			if path.Dir(f) == d.Path {
				skip[path.Base(f)] = true // the engine's, mounted in
			}
		}
		names, err := list(d.Path, skip, maxShipped)
		if err != nil {
			return err
		}
		d.Shipped = names
	}
	return nil
}

// volatileDirs are emptied at every boot (the FHS; a tmpfs on most
// systems): what an image leaves there is a leftover of its build (a
// systemd tmpfiles symlink, a package's empty directories), never content
// an app relies on.
var volatileDirs = []string{"/run", "/tmp", "/var/tmp"}

// Volatile reports whether p lies in a directory emptied at boot, where a
// tmpfs hides nothing an app may rely on.
func Volatile(p string) bool {
	return slices.ContainsFunc(volatileDirs, func(d string) bool { return under(Canonical(p), d) })
}

// Shipped returns the declarations of directories the image ships files
// in.
func (pr Proposal) Shipped() []Decl {
	var out []Decl
	for _, d := range pr.Decls {
		if len(d.Shipped) > 0 {
			out = append(out, d)
		}
	}
	return out
}

// ShippedReason says, in one line, why a container that writes into
// directories the image ships files in keeps a writable root ("" when it
// writes into none).
func (pr Proposal) ShippedReason() string {
	var parts []string
	for _, d := range pr.Shipped() {
		var wrote []string
		for _, ev := range d.Evidence {
			if ev.Kind == 'A' && path.Dir(ev.Path) == d.Path {
				wrote = append(wrote, path.Base(ev.Path))
			}
		}
		what := "writes into " + d.Path
		if len(wrote) > 0 {
			what = "writes " + strings.Join(wrote, ", ") + " into " + d.Path
		}
		parts = append(parts, fmt.Sprintf("%s, where the image ships %s: a tmpfs would hide them", what, strings.Join(d.Shipped, ", ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + " (keep a writable root, or mount a volume prepared with the image's files there)"
}

// maxListEntries bounds the archive entries read to list one directory.
const maxListEntries = 100000

// ListArchive reads the archive "docker cp CONTAINER:DIR -" streams (DIR's
// own entry first, then everything below it) and returns the names of the
// entries directly in DIR that are not in skip and hold content: a file
// that is not empty, a symlink, or a directory with such an entry
// somewhere below it. Empty files and directories are structure an app
// makes again (a log file, /run/lock), and a trial run proves it; content
// hidden by a tmpfs would change how the app runs without a trace. The
// names are sorted, at most max.
func ListArchive(r io.Reader, skip map[string]bool, max int) ([]string, error) {
	tr := newTarReader(r)
	root := ""
	found := map[string]bool{}
	for n := 0; n < maxListEntries && len(found) < max; n++ {
		hdr, err := tr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the archive: %v", err)
		}
		name := strings.TrimSuffix(hdr.Name, "/")
		if n == 0 {
			root = name
			if hdr.Typeflag != tarTypeDir {
				return nil, nil
			}
			continue
		}
		rest, ok := strings.CutPrefix(name, root+"/")
		if !ok || rest == "" {
			continue
		}
		first, _, _ := strings.Cut(rest, "/")
		empty := hdr.Typeflag == tarTypeDir || hdr.Typeflag == tarTypeReg && hdr.Size == 0
		if !skip[first] && !empty {
			found[first] = true
		}
	}
	names := make([]string, 0, len(found))
	for f := range found {
		names = append(names, f)
	}
	sort.Strings(names)
	return names, nil
}
