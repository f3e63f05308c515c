package shellparse

// An Engine is a container command-line tool.
type Engine int

// The engines whose run and create commands rofix understands.
const (
	Docker Engine = iota
	Podman
	Nerdctl
)

func (e Engine) String() string { return [...]string{"docker", "podman", "nerdctl"}[e] }

// engineOf maps a program's base name to an engine.
func engineOf(base string) (Engine, bool) {
	switch base {
	case "docker", "docker.exe":
		return Docker, true
	case "podman", "podman-remote", "podman.exe":
		return Podman, true
	case "nerdctl":
		return Nerdctl, true
	}
	return 0, false
}

// scope says where a flag is valid: one bit per engine and subcommand.
type scope uint8

const (
	dRun scope = 1 << iota
	dCreate
	pRun
	pCreate
	nRun
	nCreate

	dk  = dRun | dCreate
	pm  = pRun | pCreate
	nc  = nRun | nCreate
	all = dk | pm | nc
)

// in reports whether the scope covers engine e's run (or create) command.
func (s scope) in(e Engine, create bool) bool {
	bit := dRun << (2 * uint(e))
	if create {
		bit <<= 1
	}
	return s&bit != 0
}

// A flagSpec describes one flag: its long name, its one-letter shorthand
// (0 for none), whether it takes a value (false: a boolean flag, which never
// consumes the next word), and where it is valid.
type flagSpec struct {
	long  string
	short byte
	value bool
	where scope
}

// lookupLong finds a flag by long name in a table.
func lookupLong(table []flagSpec, name string, e Engine, create bool) (flagSpec, bool) {
	for _, f := range table {
		if f.long == name && f.where.in(e, create) {
			return f, true
		}
	}
	return flagSpec{}, false
}

// lookupShort finds a flag by shorthand in a table.
func lookupShort(table []flagSpec, c byte, e Engine, create bool) (flagSpec, bool) {
	for _, f := range table {
		if f.short == c && f.where.in(e, create) {
			return f, true
		}
	}
	return flagSpec{}, false
}
