package policy

import "strings"

// A MountOpt is a --mount value ("type=bind,source=./a,target=/b,readonly")
// as docker run, podman run and nerdctl run read it.
type MountOpt struct {
	Type   string // "volume" when the spec has no type
	Source string
	Target string
	// ReadOnly is On for readonly, ro, readonly=true, ro=1; Off for an
	// explicit readonly=false or ro=0; Dynamic for a value from a variable.
	ReadOnly Tri
}

// ParseMountOpt splits a --mount spec into its keys (case-insensitive:
// type, source/src, target/dst/destination, readonly/ro). ok is false for a
// spec this reader does not handle: CSV quoting ("...") inside the value, or
// an empty spec.
func ParseMountOpt(spec string) (m MountOpt, ok bool) {
	if spec == "" || strings.Contains(spec, `"`) {
		return MountOpt{}, false
	}
	m.Type = "volume"
	for _, field := range strings.Split(spec, ",") {
		key, val, hasVal := strings.Cut(field, "=")
		switch strings.ToLower(key) {
		case "type":
			m.Type = strings.ToLower(val)
		case "source", "src":
			m.Source = val
		case "target", "dst", "destination":
			m.Target = val
		case "readonly", "ro":
			m.ReadOnly = readOnlyValue(val, hasVal)
		}
	}
	return m, true
}

func readOnlyValue(val string, hasVal bool) Tri {
	if !hasVal {
		return On
	}
	switch strings.ToLower(val) {
	case "1", "true":
		return On
	case "0", "false":
		return Off
	}
	return Dynamic
}
