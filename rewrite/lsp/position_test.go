package lsp

import (
	"bufio"
	"strings"
	"testing"
)

func TestPositions(t *testing.T) {
	text := "a\r\nbé😀c\rd\ne"
	for _, tc := range []struct {
		off        int
		utf16, utf Position
	}{
		{0, Position{0, 0}, Position{0, 0}},
		{3, Position{1, 0}, Position{1, 0}},  // after \r\n
		{4, Position{1, 1}, Position{1, 1}},  // before é
		{6, Position{1, 2}, Position{1, 3}},  // before the emoji
		{10, Position{1, 4}, Position{1, 7}}, // before c
		{12, Position{2, 0}, Position{2, 0}}, // after a lone \r
		{14, Position{3, 0}, Position{3, 0}},
		{15, Position{3, 1}, Position{3, 1}}, // the end
		{99, Position{3, 1}, Position{3, 1}}, // clamped
	} {
		for _, enc := range []struct {
			enc  encoding
			want Position
		}{{utf16Encoding, tc.utf16}, {utf8Encoding, tc.utf}} {
			x := newLines(text, enc.enc)
			if got := x.position(tc.off); got != enc.want {
				t.Errorf("%s: position(%d) = %+v, want %+v", enc.enc, tc.off, got, enc.want)
			}
			if tc.off <= len(text) {
				if got := x.offset(enc.want); got != tc.off {
					t.Errorf("%s: offset(%+v) = %d, want %d", enc.enc, enc.want, got, tc.off)
				}
			}
		}
	}
	x := newLines(text, utf16Encoding)
	for _, tc := range []struct {
		p    Position
		want int
	}{
		{Position{1, 3}, 6},   // inside the surrogate pair: the emoji's start
		{Position{1, 99}, 11}, // past the line's end: before the \r
		{Position{0, 99}, 1},  // before the \r\n
		{Position{9, 0}, 15},  // past the last line
		{Position{-1, 0}, 0},
	} {
		if got := x.offset(tc.p); got != tc.want {
			t.Errorf("offset(%+v) = %d, want %d", tc.p, got, tc.want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		offered []string
		want    encoding
	}{
		{nil, utf16Encoding},
		{[]string{"utf-32"}, utf16Encoding},
		{[]string{"utf-16", "utf-8"}, utf8Encoding},
	} {
		if got := negotiate(tc.offered); got != tc.want {
			t.Errorf("negotiate(%q) = %s, want %s", tc.offered, got, tc.want)
		}
	}
}

func TestReadMessage(t *testing.T) {
	for _, tc := range []struct {
		in, body, err string
	}{
		{"Content-Length: 2\r\n\r\n{}", "{}", ""},
		{"content-length:2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}", "{}", ""},
		{"\r\nContent-Length: 2\r\n\r\n{}", "{}", ""},
		{"Content-Type: x\r\n\r\n{}", "", "without a Content-Length"},
		{"Content-Length: -1\r\n\r\n", "", "invalid Content-Length"},
		{"Content-Length: 99999999999\r\n\r\n", "", "over the"},
		{"Content-Length: 5\r\n\r\n{}", "", "reading a 5-byte body"},
		{"garbage\r\n\r\n", "", "malformed header"},
		{"Content-Length: 2\r\n" + strings.Repeat("x", 70000) + "\r\n", "", "reading header"},
	} {
		body, err := readMessage(bufio.NewReader(strings.NewReader(tc.in)))
		switch {
		case tc.err == "" && (err != nil || string(body) != tc.body):
			t.Errorf("%q: %q, %v; want %q", tc.in, body, err, tc.body)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one containing %q", tc.in, err, tc.err)
		}
	}
}
