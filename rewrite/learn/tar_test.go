package learn

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestTarReader: tarReader reads what archive/tar writes, in each format
// the engines' cp streams use (USTAR, PAX, GNU: long names and links,
// large ids, names of users and groups), header for header and byte for
// byte, and fails where archive/tar's Reader fails, at every point an
// archive can break off.
func TestTarReader(t *testing.T) {
	long := "etc/" + strings.Repeat("very-long-directory-name/", 8) + "app.conf"
	members := []*tar.Header{
		{Name: "etc/app/", Typeflag: tar.TypeDir, Mode: 0o2775, Uid: 70, Gid: 70, Uname: "postgres", Gname: "postgres"},
		{Name: "etc/app/app.conf", Typeflag: tar.TypeReg, Mode: 0o644, Size: 600},
		{Name: "etc/app/empty", Typeflag: tar.TypeReg, Mode: 0o600},
		{Name: "etc/app/link", Typeflag: tar.TypeSymlink, Linkname: "/elsewhere", Mode: 0o777},
		{Name: "etc/app/hard", Typeflag: tar.TypeLink, Linkname: "etc/app/app.conf"},
		{Name: long, Typeflag: tar.TypeReg, Mode: 0o4755, Size: 1025, Uid: 1000, Gid: 1000},
		{Name: "etc/app/big-ids", Typeflag: tar.TypeReg, Uid: 3 << 30, Gid: 100000, Size: 1},
		{Name: "etc/app/names", Typeflag: tar.TypeReg, Uname: strings.Repeat("u", 40), Gname: "g"},
		{Name: "etc/app/to-long", Typeflag: tar.TypeSymlink, Linkname: long},
	}
	for _, format := range []tar.Format{tar.FormatUnknown, tar.FormatUSTAR, tar.FormatPAX, tar.FormatGNU} {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		for _, m := range members {
			h := *m
			h.Format = format
			if err := tw.WriteHeader(&h); err != nil {
				continue // not expressible in this format
			}
			if _, err := tw.Write(bytes.Repeat([]byte{byte(len(h.Name))}, int(h.Size))); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		archive := b.Bytes()
		for cut := 0; cut <= len(archive); cut++ {
			if cut%64 != 0 && cut != len(archive) && format != tar.FormatUnknown {
				continue
			}
			compareTar(t, format, archive[:cut])
		}
	}
	compareTar(t, tar.FormatUnknown, []byte(strings.Repeat("not a tar stream, long enough to fill a header block?", 20)))
}

// compareTar reads archive with archive/tar and with tarReader and reports
// where they differ.
func compareTar(t *testing.T, format tar.Format, archive []byte) {
	t.Helper()
	// archive/tar seeks over content when it can, which hides a stream
	// that breaks off in an entry's padding: it reads as a plain stream.
	want := tar.NewReader(struct{ io.Reader }{bytes.NewReader(archive)})
	mine := newTarReader(bytes.NewReader(archive))
	for i := 0; ; i++ {
		wh, werr := want.Next()
		mh, merr := mine.next()
		if (werr == nil) != (merr == nil) || errors.Is(werr, io.EOF) != errors.Is(merr, io.EOF) {
			t.Fatalf("%v, %d bytes, entry %d: archive/tar says %v, tarReader %v", format, len(archive), i, werr, merr)
		}
		if werr != nil {
			return
		}
		got := tarHeader{Name: wh.Name, Linkname: wh.Linkname, Typeflag: wh.Typeflag, Mode: wh.Mode, Uid: wh.Uid, Gid: wh.Gid, Uname: wh.Uname, Gname: wh.Gname, Size: wh.Size}
		if *mh != got {
			t.Fatalf("%v, %d bytes, entry %d:\ntarReader  %+v\narchive/tar %+v", format, len(archive), i, *mh, got)
		}
		wc, werr := io.ReadAll(want)
		mc, merr := io.ReadAll(mine)
		if !bytes.Equal(wc, mc) || (werr == nil) != (merr == nil) {
			t.Fatalf("%v, %d bytes, %s: content %d bytes (%v), archive/tar %d bytes (%v)", format, len(archive), wh.Name, len(mc), merr, len(wc), werr)
		}
	}
}
