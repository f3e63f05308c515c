package encoding

import (
	"errors"
	"testing"

	"github.com/rofix/rofix/rewrite/finding"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		src    string
		utf8   bool
		offset int // -1: no error
	}{
		{"services: {}\n", true, -1},
		{"caf\xe9", false, -1},
		{"caf\xe9", true, 3},
		{"ok: é\xff", true, 6},
		{"\xff\xfes\x00", false, 0},
		{"\xfe\xff\x00s", true, 0},
		{"a\x00b", false, 1},
	}
	for _, tt := range tests {
		err := Check([]byte(tt.src), tt.utf8)
		var pe *finding.PosError
		switch {
		case tt.offset < 0 && err != nil:
			t.Errorf("Check(%q) = %v, want nil", tt.src, err)
		case tt.offset >= 0 && (!errors.As(err, &pe) || pe.Offset != tt.offset):
			t.Errorf("Check(%q) = %v, want an error at %d", tt.src, err, tt.offset)
		}
	}
}
