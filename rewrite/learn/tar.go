package learn

// This file reads the tar streams "docker cp CONTAINER:PATH -" and
// "podman cp" print: the headers and the content of their entries, as
// archive/tar's Reader does for the USTAR, PAX and GNU formats those
// engines write. archive/tar links os/user, and with it cgo and the
// dynamic loader, into the binary: every rofix process paid for them at
// start-up (about 3 ms of a 20 ms format-on-save run), though only
// "rofix learn" reads an archive.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The entry types rofix looks at (archive/tar's Type constants).
const (
	tarTypeReg     = '0'
	tarTypeRegA    = '\x00'
	tarTypeLink    = '1'
	tarTypeSymlink = '2'
	tarTypeChar    = '3'
	tarTypeBlock   = '4'
	tarTypeDir     = '5'
	tarTypeFifo    = '6'
	tarTypePAX     = 'x'
	tarTypeGlobal  = 'g'
	tarTypeGNUName = 'L'
	tarTypeGNULink = 'K'
)

// errTarHeader is a header block that is none: a bad checksum or number.
var errTarHeader = errors.New("archive/tar: invalid tar header")

// A tarHeader is what rofix reads of an entry's header.
type tarHeader struct {
	Name     string
	Linkname string
	Typeflag byte
	Mode     int64
	Uid, Gid int
	Uname    string
	Gname    string
	Size     int64
}

// A tarReader reads a tar stream entry by entry: next moves to the next
// entry's header, Read reads that entry's content.
type tarReader struct {
	r       io.Reader
	content int64 // content bytes of the current entry not yet read
	pad     int64 // padding after them
	block   [512]byte
}

func newTarReader(r io.Reader) *tarReader { return &tarReader{r: r} }

// next skips the rest of the current entry and returns the next header, or
// io.EOF at the end of the archive. PAX records and GNU long names are
// applied to the header they precede; global PAX headers are skipped.
func (tr *tarReader) next() (*tarHeader, error) {
	var pax map[string]string
	var longName, longLink string
	for {
		if err := tr.skip(); err != nil {
			return nil, err
		}
		hdr, err := tr.header()
		if err != nil {
			return nil, err
		}
		tr.setContent(hdr)
		switch hdr.Typeflag {
		case tarTypePAX, tarTypeGlobal, tarTypeGNUName, tarTypeGNULink:
			if hdr.Size > 1<<20 {
				return nil, errTarHeader
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				return nil, err
			}
			switch hdr.Typeflag {
			case tarTypePAX:
				if pax, err = parsePAX(data); err != nil {
					return nil, err
				}
			case tarTypeGNUName:
				longName = cString(data)
			case tarTypeGNULink:
				longLink = cString(data)
			}
			continue
		}
		if longName != "" {
			hdr.Name = longName
		}
		if longLink != "" {
			hdr.Linkname = longLink
		}
		if err := applyPAX(hdr, pax); err != nil {
			return nil, err
		}
		if hdr.Typeflag == tarTypeRegA {
			hdr.Typeflag = tarTypeReg
			if strings.HasSuffix(hdr.Name, "/") {
				hdr.Typeflag = tarTypeDir
			}
		}
		tr.setContent(hdr) // PAX records may have changed the size
		return hdr, nil
	}
}

// setContent sets the content and padding that follow hdr.
func (tr *tarReader) setContent(hdr *tarHeader) {
	switch hdr.Typeflag {
	case tarTypeLink, tarTypeSymlink, tarTypeChar, tarTypeBlock, tarTypeDir, tarTypeFifo:
		tr.content = 0 // header-only types: their size is no content
	default:
		tr.content = hdr.Size
	}
	tr.pad = -tr.content & 511
}

// skip discards what is left of the current entry and its padding; a
// stream that ends in the padding ends the archive (io.EOF), as for
// archive/tar.
func (tr *tarReader) skip() error {
	content, pad := tr.content, tr.pad
	tr.content, tr.pad = 0, 0
	if _, err := io.CopyN(io.Discard, tr.r, content); err != nil {
		return unexpected(err)
	}
	_, err := io.CopyN(io.Discard, tr.r, pad)
	return err
}

// header reads one header block; two zero blocks (or one at the end of the
// stream) end the archive.
func (tr *tarReader) header() (*tarHeader, error) {
	b := tr.block[:]
	if _, err := io.ReadFull(tr.r, b); err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, unexpected(err)
	}
	if bytes.Count(b, []byte{0}) == len(b) {
		if _, err := io.ReadFull(tr.r, b); err != nil {
			if err == io.EOF {
				return nil, io.EOF
			}
			return nil, unexpected(err)
		}
		if bytes.Count(b, []byte{0}) == len(b) {
			return nil, io.EOF
		}
		return nil, errTarHeader
	}
	if !validChecksum(b) {
		return nil, errTarHeader
	}
	var p numParser
	hdr := &tarHeader{
		Name:     cString(b[0:100]),
		Mode:     p.number(b[100:108]),
		Uid:      int(p.number(b[108:116])),
		Gid:      int(p.number(b[116:124])),
		Size:     p.number(b[124:136]),
		Typeflag: b[156],
		Linkname: cString(b[157:257]),
	}
	switch magic := string(b[257:265]); {
	case magic == "ustar  \x00": // GNU: no prefix field
		hdr.Uname, hdr.Gname = cString(b[265:297]), cString(b[297:329])
	case magic[:6] == "ustar\x00": // USTAR and PAX
		hdr.Uname, hdr.Gname = cString(b[265:297]), cString(b[297:329])
		if prefix := cString(b[345:500]); prefix != "" {
			hdr.Name = prefix + "/" + hdr.Name
		}
	}
	if p.err != nil || hdr.Size < 0 {
		return nil, errTarHeader
	}
	return hdr, nil
}

// Read reads the current entry's content.
func (tr *tarReader) Read(b []byte) (int, error) {
	if tr.content == 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > tr.content {
		b = b[:tr.content]
	}
	n, err := tr.r.Read(b)
	tr.content -= int64(n)
	if err == io.EOF && tr.content > 0 {
		return n, io.ErrUnexpectedEOF
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}

// unexpected turns an end of stream inside an entry into an error.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// validChecksum compares the header's checksum field with the sum of its
// bytes, the field counted as spaces, unsigned or signed as writers did.
func validChecksum(b []byte) bool {
	var p numParser
	want := p.number(b[148:156])
	if p.err != nil {
		return false
	}
	var unsigned, signed int64
	for i, c := range b {
		if 148 <= i && i < 156 {
			c = ' '
		}
		unsigned += int64(c)
		signed += int64(int8(c))
	}
	return want == unsigned || want == signed
}

// A numParser reads the numbers of a header, keeping the first error.
type numParser struct{ err error }

// number reads an octal field (NUL- or space-terminated) or a GNU base-256
// one (first byte's high bit set).
func (p *numParser) number(b []byte) int64 {
	if len(b) > 0 && b[0]&0x80 != 0 {
		if b[0]&0x40 != 0 {
			p.err = errTarHeader // negative
			return 0
		}
		n := uint64(b[0] & 0x3f)
		for _, c := range b[1:] {
			if n>>55 != 0 {
				p.err = errTarHeader // over 63 bits
				return 0
			}
			n = n<<8 | uint64(c)
		}
		return int64(n)
	}
	s := strings.Trim(string(b), " \x00")
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 8, 64)
	if err != nil {
		p.err = errTarHeader
	}
	return n
}

// cString returns b up to its first NUL.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// parsePAX reads a PAX extended header's "LENGTH KEY=VALUE\n" records.
func parsePAX(data []byte) (map[string]string, error) {
	recs := map[string]string{}
	s := string(data)
	for s != "" {
		lenText, _, ok := strings.Cut(s, " ")
		n, err := strconv.Atoi(lenText)
		if !ok || err != nil || n < len(lenText)+1 || n > len(s) || s[n-1] != '\n' {
			return nil, errTarHeader
		}
		key, value, ok := strings.Cut(s[len(lenText)+1:n-1], "=")
		if !ok {
			return nil, errTarHeader
		}
		recs[key] = value
		s = s[n:]
	}
	return recs, nil
}

// applyPAX sets the fields of hdr that PAX records override.
func applyPAX(hdr *tarHeader, pax map[string]string) error {
	for key, value := range pax {
		var err error
		switch key {
		case "path":
			hdr.Name = value
		case "linkpath":
			hdr.Linkname = value
		case "uname":
			hdr.Uname = value
		case "gname":
			hdr.Gname = value
		case "uid":
			hdr.Uid, err = strconv.Atoi(value)
		case "gid":
			hdr.Gid, err = strconv.Atoi(value)
		case "size":
			hdr.Size, err = strconv.ParseInt(value, 10, 64)
		}
		if err != nil || hdr.Size < 0 {
			return fmt.Errorf("%w: PAX record %s=%q", errTarHeader, key, value)
		}
	}
	return nil
}
