package learn

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
)

// ReadInfo reads the Info of the first entry of a tar stream: what "docker
// cp CONTAINER:PATH -" prints starts with PATH itself, with its numeric
// owner and mode.
func ReadInfo(r io.Reader) (Info, error) {
	hdr, err := tar.NewReader(r).Next()
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
	return Info{Dir: hdr.Typeflag == tar.TypeDir, UID: hdr.Uid, GID: hdr.Gid, Mode: mode}, nil
}

// TmpfsOptions returns the options a tmpfs on a directory with this owner
// and mode needs so that its owner can still write there: Docker mounts a
// tmpfs over an image directory with that directory's mode but owned by
// root, so a directory owned by a service user (PostgreSQL's
// /run/postgresql, postgres:postgres 2775) needs "uid=N,gid=M". A
// directory owned by root, or writable by anyone, needs nothing.
func TmpfsOptions(info Info) string {
	if !info.Dir || info.UID == 0 && info.GID == 0 || info.Mode&0o002 != 0 {
		return ""
	}
	return fmt.Sprintf("uid=%d,gid=%d", info.UID, info.GID)
}
