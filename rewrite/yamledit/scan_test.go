package yamledit

import "testing"

// TestFlowEnd: a flow collection ends at its closing bracket, by libyaml's
// rules: a quote inside a plain scalar opens nothing, a quote starting a
// scalar hides brackets, a comment hides them too.
func TestFlowEnd(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"plain", "x: {a: b}\ny: 1\n", "{a: b}"},
		{"quote inside plain", "x: {a \"b: c}\ny: 1\n", "{a \"b: c}"},
		{"quote inside plain item", "x: [a 'b, c]\ny: 1\n", "[a 'b, c]"},
		{"quoted bracket", "x: [\"]\", c]\ny: 1\n", "[\"]\", c]"},
		{"comment", "x: [a, # ]\n  b]\ny: 1\n", "[a, # ]\n  b]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse([]byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			_, v := Lookup(DocRoot(s.Docs[0]), "x")
			end, err := s.End(v, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.src[s.Start(v):end]; got != c.want {
				t.Errorf("value spans %q, want %q", got, c.want)
			}
		})
	}
}
