package compose

import (
	"reflect"
	"testing"
)

func TestServiceKeys(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string // the text at each offset
	}{
		{"services:\n  web:\n    image: a\n  db: {image: b}\n", []string{"web:", "db: "}},
		{"x: 1\n---\nservices:\n  &s api:\n    image: a\n  'q':\n    image: b\n", []string{"api:", "'q':"}},
		{"services:\n  a:\n    image: x\n---\nservices:\n  b:\n    image: y\n", []string{"a:\n ", "b:\n "}},
		{"services: {}\n", nil},
		{"volumes:\n  a:\n", nil},
	} {
		keys, err := ServiceKeys([]byte(tc.src))
		if err != nil {
			t.Fatalf("%q: %v", tc.src, err)
		}
		if len(keys) != len(tc.want) {
			t.Errorf("%q: %d keys, want %d", tc.src, len(keys), len(tc.want))
			continue
		}
		var got []string
		for _, k := range keys {
			got = append(got, tc.src[k:k+len(tc.want[len(got)])])
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: keys at %q, want %q", tc.src, got, tc.want)
		}
	}
	if _, err := ServiceKeys([]byte("services: [\n")); err == nil {
		t.Error("invalid YAML: no error")
	}
}
