package cli

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadAll: readAll returns what io.ReadAll returns, whatever the size
// it is told (the file's size when opened, which may since have changed)
// and however the reader splits its data.
func TestReadAll(t *testing.T) {
	data := strings.Repeat("services: {}\n", 100)
	for _, size := range []int64{-1, 0, 1, 512, int64(len(data)) - 1, int64(len(data)), int64(len(data)) + 1, 4 * int64(len(data))} {
		for name, r := range map[string]func() io.Reader{
			"whole":    func() io.Reader { return strings.NewReader(data) },
			"one byte": func() io.Reader { return iotest.OneByteReader(strings.NewReader(data)) },
			"data+EOF": func() io.Reader { return iotest.DataErrReader(strings.NewReader(data)) },
		} {
			got, err := readAll(r(), size)
			if err != nil || !bytes.Equal(got, []byte(data)) {
				t.Errorf("size %d, %s: readAll = %d bytes, %v; want the %d bytes", size, name, len(got), err, len(data))
			}
		}
	}
	if got, err := readAll(strings.NewReader(""), 0); err != nil || got == nil || len(got) != 0 {
		t.Errorf("empty: readAll = %q (nil: %t), %v; want an empty, non-nil slice", got, got == nil, err)
	}
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom))
	if got, err := readAll(r, 3); !errors.Is(err, boom) || string(got) != "abc" {
		t.Errorf("failing reader: readAll = %q, %v; want %q, %v", got, err, "abc", boom)
	}
}
