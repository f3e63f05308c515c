package policy

import "testing"

// TestVolumesFromName: the name a volumes_from item or --volumes-from
// value takes the volumes of, its mode dropped.
func TestVolumesFromName(t *testing.T) {
	for in, want := range map[string]string{
		"nginx":    "nginx",
		"nginx:ro": "nginx",
		"nginx:rw": "nginx",
		"nginx:z":  "nginx:z",
		"${C}:ro":  "${C}",
	} {
		if got := VolumesFromName(in); got != want {
			t.Errorf("VolumesFromName(%q) = %q, want %q", in, got, want)
		}
	}
}
