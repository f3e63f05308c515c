package textpos

import "testing"

func TestPos(t *testing.T) {
	src := []byte("ab\r\né🚀x\n\nz")
	tests := []struct {
		off                       int
		line, col, runeCol, utf16 int
	}{
		{0, 1, 1, 1, 0},
		{2, 1, 3, 3, 2},
		{4, 2, 1, 1, 0},
		{6, 2, 3, 2, 1},  // after é (2 bytes)
		{10, 2, 7, 3, 3}, // after the rocket (4 bytes, 2 UTF-16 units)
		{12, 3, 1, 1, 0}, // empty line
		{13, 4, 1, 1, 0}, // z
		{99, 4, 2, 2, 1}, // clamped to the end
	}
	x := New(src)
	for _, tt := range tests {
		p := x.Pos(tt.off)
		if p.Line != tt.line || p.Column != tt.col || p.Rune != tt.runeCol || p.UTF16 != tt.utf16 {
			t.Errorf("Pos(%d) = %+v, want line %d col %d rune %d utf16 %d", tt.off, p, tt.line, tt.col, tt.runeCol, tt.utf16)
		}
	}
}
