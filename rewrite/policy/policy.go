// Package policy holds rofix's hardening knowledge as data: which scratch
// paths get a tmpfs, how the no-new-privileges option is spelled, and which
// mounts may safely become read-only. Both engines (compose and shell) ask
// this package; neither hard-codes a rule of its own.
package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
)

// ROMounts selects which bind mounts become read-only.
type ROMounts int

const (
	// ROMountsAuto makes read-only only the binds that are clearly
	// configuration: targets under /etc, the engine socket, single files.
	ROMountsAuto ROMounts = iota
	// ROMountsBinds makes every bind mount read-only.
	ROMountsBinds
	// ROMountsOff leaves every mount as it is.
	ROMountsOff
)

// ParseROMounts parses the --ro-mounts flag value.
func ParseROMounts(s string) (ROMounts, error) {
	switch s {
	case "auto":
		return ROMountsAuto, nil
	case "binds":
		return ROMountsBinds, nil
	case "off":
		return ROMountsOff, nil
	}
	return 0, fmt.Errorf("invalid --ro-mounts %q: want auto, binds or off", s)
}

func (m ROMounts) String() string {
	return [...]string{"auto", "binds", "off"}[m]
}

// Policy is the set of choices an engine applies to every file.
type Policy struct {
	ROMounts ROMounts
	// TmpfsPaths are the scratch paths that get a tmpfs when the container
	// is read-only. Later, per-image knowledge extends this list.
	TmpfsPaths []string
	// Images is the image knowledge; nil means only TmpfsPaths.
	Images *Knowledge
	// Off lists the rules a config file switches off: the engines skip
	// them everywhere, as if every service and command carried
	// "# rofix:ignore RULE" (see the compose and shell planners).
	Off []finding.Rule
	// On lists the opt-in rules (finding.RuleInfo.OptIn) switched on, by
	// a config file's rules: or the --enable flag; the others are off.
	On []finding.Rule
	// Services are per-service overrides by compose service name, merged
	// over the image's needs by NeedsFor (see services.go).
	Services map[string]*ImageEntry
	// ReadFile reads a file named relative to the processed file's
	// directory (the Dockerfile of a build: context, the other files of a
	// compose set); nil reads nothing.
	// The engines never open files themselves: rewrite/cli sets it, and
	// refuses paths that leave the tree, pass a symlink or are too large.
	ReadFile func(rel string) ([]byte, error)
	// Stat says what a path relative to the processed file's directory
	// is in the tree (a file, a directory, or unknown: absent, outside
	// the tree, behind a symlink); nil knows nothing. rewrite/cli sets
	// it with ReadFile's rules.
	Stat func(rel string) PathKind
}

// NeedsFor returns what the container of a service (empty for a run
// command) running image needs to run read-only.
func (p Policy) NeedsFor(service, image string) Needs {
	n := Needs{Image: image, Tmpfs: p.TmpfsPaths, Verdict: Works}
	if p.Images != nil {
		n = p.Images.Lookup(image)
	}
	return p.overrideService(service, n)
}

// RuleOn reports whether rule r applies: a default rule unless Off lists
// it, an opt-in rule only when On lists it.
func (p Policy) RuleOn(r finding.Rule) bool {
	if finding.IsOptIn(string(r)) {
		return slices.Contains(p.On, r) && !slices.Contains(p.Off, r)
	}
	return !slices.Contains(p.Off, r)
}

// OptIn returns the opt-in rules that apply to one container, for
// Container.On: those switched on, less those skip says its ignore
// directives skip (a directive.Ignore's Skips; nil skips none).
func (p Policy) OptIn(skip func(finding.Rule) bool) []finding.Rule {
	var out []finding.Rule
	for _, r := range finding.OptInRules() {
		if p.RuleOn(r) && (skip == nil || !skip(r)) {
			out = append(out, r)
		}
	}
	return out
}

// ParseEnable parses the value of an --enable flag: opt-in rule ids
// separated by commas ("cap-drop,non-root").
func ParseEnable(s string) ([]finding.Rule, error) {
	var out []finding.Rule
	for _, id := range strings.Split(s, ",") {
		id = strings.TrimSpace(id)
		if !finding.IsOptIn(id) {
			var ids []string
			for _, r := range finding.OptInRules() {
				ids = append(ids, string(r))
			}
			return nil, fmt.Errorf("invalid --enable %q: want %s (the other rules are on by default)", id, strings.Join(ids, " or "))
		}
		if !slices.Contains(out, finding.Rule(id)) {
			out = append(out, finding.Rule(id))
		}
	}
	return out, nil
}

// EnableFlag is the value of a repeatable --enable flag (flag.Value): the
// opt-in rules it names, each once.
type EnableFlag []finding.Rule

// String returns the rules, comma-separated.
func (f *EnableFlag) String() string {
	var ids []string
	for _, r := range *f {
		ids = append(ids, string(r))
	}
	return strings.Join(ids, ",")
}

// Set adds the rules of one --enable value.
func (f *EnableFlag) Set(s string) error {
	rules, err := ParseEnable(s)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if !slices.Contains(*f, r) {
			*f = append(*f, r)
		}
	}
	return nil
}

// Default returns the policy rofix uses without flags.
func Default() Policy {
	return Policy{ROMounts: ROMountsAuto, TmpfsPaths: []string{"/tmp"}, Images: Builtin()}
}

// Tri is a setting that may be absent, on, off, or not knowable statically.
type Tri int

const (
	Absent Tri = iota
	On
	Off
	Dynamic
)

// NoNewPrivileges classifies one security option: On for
// no-new-privileges, no-new-privileges:true and =true (any spelling
// strconv.ParseBool accepts), Off for an explicit false, Dynamic for a
// variable value, Absent for any other option.
func NoNewPrivileges(opt string) Tri {
	rest, ok := strings.CutPrefix(opt, "no-new-privileges")
	if !ok {
		return Absent
	}
	if rest == "" {
		return On
	}
	if rest[0] != ':' && rest[0] != '=' {
		return Absent
	}
	switch rest[1:] {
	case "1", "t", "T", "true", "TRUE", "True":
		return On
	case "0", "f", "F", "false", "FALSE", "False":
		return Off
	}
	if strings.Contains(rest, "$") {
		return Dynamic
	}
	return Absent
}

// TmpfsTarget returns the path of a tmpfs entry "PATH[:OPTIONS]".
func TmpfsTarget(entry string) string {
	path, _, _ := strings.Cut(entry, ":")
	return path
}
