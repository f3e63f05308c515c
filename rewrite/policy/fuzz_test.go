package policy

import "testing"

// FuzzParseVolume checks the short volume syntax parser: no panic; the
// fields put back together give the spec; appending AppendRO makes the spec
// read-only without changing source or target.
func FuzzParseVolume(f *testing.F) {
	for _, seed := range []string{"./a:/b", "/data", "./a:/b:rw,z", `C:\x:/y`, "${A:-${B}}:/c:ro", "a:b:c:d", "", ":", "${"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		v, ok := ParseVolume(spec)
		if !ok {
			return
		}
		joined := v.Source + ":" + v.Target
		switch {
		case v.HasMode:
			joined += ":" + v.Mode
		case v.Source == "" && spec == v.Target:
			joined = v.Target // one field: an anonymous volume
		}
		if joined != spec {
			t.Fatalf("ParseVolume(%q) = %+v, joins back to %q", spec, v, joined)
		}
		if v.Source == "" || ClassifyMode(v.Mode) != ModeDefault {
			return
		}
		ro, ok := ParseVolume(spec + AppendRO(v))
		if !ok || ro.Source != v.Source || ro.Target != v.Target || ClassifyMode(ro.Mode) != ModeReadOnly {
			t.Fatalf("%q + %q = %+v, not a read-only form of %+v", spec, AppendRO(v), ro, v)
		}
	})
}
