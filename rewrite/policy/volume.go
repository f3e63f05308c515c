package policy

import "strings"

// A Volume is a short-syntax volume spec "[SOURCE:]TARGET[:MODE]" as written
// in compose files and in docker run -v.
type Volume struct {
	Source, Target, Mode string
	// HasMode tells whether the spec has a third field (even an empty one).
	HasMode bool
}

// ParseVolume splits a short volume spec on ":" the way compose-go and the
// docker CLI do: a one-letter Windows drive ("C:") and colons inside ${...}
// do not split. ok is false for specs with more than three fields or an
// unterminated ${.
func ParseVolume(spec string) (v Volume, ok bool) {
	var fields []string
	start, depth := 0, 0
	for i := 0; i < len(spec); i++ {
		switch {
		case spec[i] == '$' && i+1 < len(spec) && spec[i+1] == '{':
			depth++
			i++
		case spec[i] == '}' && depth > 0:
			depth--
		case spec[i] == ':' && depth == 0:
			if i-start == 1 && isLetter(spec[start]) && i+1 < len(spec) && (spec[i+1] == '\\' || spec[i+1] == '/') {
				continue // drive letter
			}
			fields = append(fields, spec[start:i])
			start = i + 1
		}
	}
	if depth != 0 {
		return Volume{}, false // an unterminated ${: rofix cannot tell the fields
	}
	fields = append(fields, spec[start:])
	switch len(fields) {
	case 1:
		return Volume{Target: fields[0]}, true
	case 2:
		return Volume{Source: fields[0], Target: fields[1]}, true
	case 3:
		return Volume{Source: fields[0], Target: fields[1], Mode: fields[2], HasMode: true}, true
	}
	return Volume{}, false
}

func isLetter(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }

// IsBindSource reports whether a short-syntax source is a host path (a bind
// mount) rather than a volume name: it starts with ".", "/", "~", "\\", a
// Windows drive, or a variable (which compose users write for host paths).
func IsBindSource(src string) bool {
	if src == "" {
		return false
	}
	switch src[0] {
	case '.', '/', '~', '\\', '$':
		return true
	}
	return len(src) >= 2 && isLetter(src[0]) && src[1] == ':'
}

// ModeState describes a mount mode ("ro", "rw,z", ...).
type ModeState int

const (
	// ModeDefault: no access mode; the mount is read-write by default.
	ModeDefault ModeState = iota
	// ModeReadOnly: ro (or readonly) is already there.
	ModeReadOnly
	// ModeReadWrite: an explicit rw, the author's choice.
	ModeReadWrite
	// ModeDynamic: the mode comes from a variable and cannot be read.
	ModeDynamic
	// ModeOverlay: podman's O (overlay) cannot be combined with ro.
	ModeOverlay
)

// ClassifyMode reads a comma-separated mount mode.
func ClassifyMode(mode string) ModeState {
	if strings.Contains(mode, "$") {
		return ModeDynamic
	}
	state := ModeDefault
	for _, opt := range strings.Split(mode, ",") {
		switch opt {
		case "ro", "readonly", "rro":
			return ModeReadOnly
		case "rw":
			state = ModeReadWrite
		case "O":
			if state == ModeDefault {
				state = ModeOverlay
			}
		}
	}
	return state
}

// AppendRO returns the text to append to a spec to make it read-only:
// ":ro" when it has no mode, ",ro" after an existing mode, ":ro" after an
// empty third field is not valid so it returns "ro".
func AppendRO(v Volume) string {
	switch {
	case !v.HasMode:
		return ":ro"
	case v.Mode == "":
		return "ro"
	}
	return ",ro"
}

// VolumesFromName returns the container or service a volumes_from item or
// a --volumes-from value names: NAME, or NAME:ro / NAME:rw, whose mode the
// taker gets for all of NAME's volumes.
func VolumesFromName(v string) string {
	if i := strings.LastIndexByte(v, ':'); i >= 0 && (v[i+1:] == "ro" || v[i+1:] == "rw") {
		return v[:i]
	}
	return v
}
