package learn

import (
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
)

// ReadInfo reads the Info of the first entry of a tar stream: what "docker
// cp CONTAINER:PATH -" prints starts with PATH itself, with its numeric
// owner and mode.
func ReadInfo(r io.Reader) (Info, error) {
	hdr, err := newTarReader(r).next()
	if err != nil {
		return Info{}, fmt.Errorf("reading the archive: %v", err)
	}
	mode := fs.FileMode(hdr.Mode).Perm()
	if hdr.Mode&04000 != 0 {
		mode |= fs.ModeSetuid
	}
	if hdr.Mode&02000 != 0 {
		mode |= fs.ModeSetgid
	}
	if hdr.Mode&01000 != 0 {
		mode |= fs.ModeSticky
	}
	return Info{Dir: hdr.Typeflag == tarTypeDir, UID: hdr.Uid, GID: hdr.Gid, Mode: mode,
		User: hdr.Uname, Group: hdr.Gname}, nil
}

// ReadFile reads the content of the first entry of a tar stream, at most
// limit bytes.
func ReadFile(r io.Reader, limit int64) ([]byte, error) {
	tr := newTarReader(r)
	if _, err := tr.next(); err != nil {
		return nil, fmt.Errorf("reading the archive: %v", err)
	}
	return io.ReadAll(io.LimitReader(tr, limit))
}

// needsNames reports whether the numeric owner in info cannot be trusted:
// podman's cp gives the ids of the caller (0) with the container's names.
func needsNames(info Info) bool {
	return info.UID == 0 && info.User != "" && info.User != "root" ||
		info.GID == 0 && info.Group != "" && info.Group != "root"
}

// LookupID returns the id of name in an /etc/passwd or /etc/group file
// (the third field), or -1.
func LookupID(file []byte, name string) int {
	for _, line := range strings.Split(string(file), "\n") {
		f := strings.Split(line, ":")
		if len(f) >= 3 && f[0] == name {
			if id, err := strconv.Atoi(f[2]); err == nil {
				return id
			}
		}
	}
	return -1
}

// TmpfsOptions returns the options a tmpfs on a directory with this owner
// and mode needs so that its owner can still write there: Docker mounts a
// tmpfs over an image directory with that directory's mode but owned by
// root, so a directory owned by a service user (PostgreSQL's
// /run/postgresql, postgres:postgres 2775) needs "uid=N,gid=M". A
// directory owned by root (unless its group may write there), or writable by
// anyone, needs nothing.
func TmpfsOptions(info Info) string {
	switch {
	case !info.Dir, info.Mode&0o002 != 0:
		return ""
	case info.UID == 0 && (info.GID == 0 || info.Mode&0o020 == 0):
		// Root's, and its group cannot write there either.
		return ""
	}
	return fmt.Sprintf("uid=%d,gid=%d", info.UID, info.GID)
}
