package shell

import "testing"

func TestContinuation(t *testing.T) {
	tests := []struct {
		gap, sep, nl, indent string
		ok                   bool
	}{
		{" \\\n  ", " ", "\n", "  ", true},
		{"\\\n\t\t", "", "\n", "\t\t", true},
		{" \\\r\n    ", " ", "\r\n", "    ", true},
		{" ", "", "", "", false},
		{" \\\n\n", "", "", "", false},
		{" x \\\n", "", "", "", false},
	}
	for _, tt := range tests {
		sep, nl, indent, ok := continuation(tt.gap)
		if ok != tt.ok || ok && (sep != tt.sep || nl != tt.nl || indent != tt.indent) {
			t.Errorf("continuation(%q) = %q %q %q %v", tt.gap, sep, nl, indent, ok)
		}
	}
}
