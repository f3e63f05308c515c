package shellparse

import (
	"path"
	"strings"
)

// A wrapper is a command that runs its arguments as another command.
type wrapper struct {
	name string
	// valueShort and valueLong are the options that take a value (as the
	// next word, or attached); other options are boolean.
	valueShort string
	valueLong  []string
	// bail lists options after which the arguments are not run as a
	// command (command -v prints, env -S re-splits a string).
	bail []string
	// assigns: NAME=value words may precede the command (sudo, env).
	assigns bool
	// positional is the number of operands before the command (timeout's
	// duration).
	positional int
}

var wrappers = []wrapper{
	{name: "sudo", valueShort: "CDghpRrTtUu",
		valueLong: []string{"--chdir", "--close-from", "--command-timeout", "--group", "--host", "--other-user", "--prompt", "--chroot", "--role", "--type", "--user"},
		bail:      []string{"-e", "--edit", "-l", "--list", "-v", "--validate", "-V", "--version", "-K", "--remove-timestamp", "--help"},
		assigns:   true},
	{name: "doas", valueShort: "Cu", bail: []string{"-L"}},
	{name: "env", valueShort: "uC", valueLong: []string{"--unset", "--chdir", "--block-signal", "--default-signal", "--ignore-signal"},
		bail: []string{"-S", "--split-string", "--help", "--version"}, assigns: true},
	{name: "exec", valueShort: "a"},
	{name: "command", bail: []string{"-v", "-V"}},
	{name: "time", valueShort: "fo", valueLong: []string{"--format", "--output"}},
	{name: "nice", valueShort: "n", valueLong: []string{"--adjustment"}},
	{name: "nohup"},
	{name: "timeout", valueShort: "ks", valueLong: []string{"--kill-after", "--signal"}, positional: 1},
	{name: "setsid"},
	{name: "stdbuf", valueShort: "ioe", valueLong: []string{"--input", "--output", "--error"}},
	{name: "ionice", valueShort: "cn", valueLong: []string{"--class", "--classdata"},
		bail: []string{"-p", "--pid", "-P", "--pgid", "-u", "--uid"}},
}

// wrapperVariables are variables that by convention hold a wrapper or
// nothing: "$SUDO docker run", "$(SUDO) time docker run" in a Makefile
// (cortexproject/cortex sets SUDO to "sudo -E" when docker needs it).
var wrapperVariables = []string{"SUDO", "DOAS", "SUDO_CMD", "MAYBE_SUDO"}

// isWrapperVariable reports whether a word is a lone variable of
// wrapperVariables ("$SUDO", "${sudo}").
func isWrapperVariable(w Word) bool {
	name, ok := strings.CutPrefix(w.Value, "${")
	if !ok || !strings.HasSuffix(name, "}") {
		return false
	}
	name = strings.ToUpper(strings.TrimSuffix(name, "}"))
	for _, v := range wrapperVariables {
		if name == v {
			return true
		}
	}
	return false
}

// skipWrappers returns the index of the program word after any chain of
// wrappers. ok is false when a wrapper's options mean its arguments are not
// run as a command, or cannot be read.
func skipWrappers(words []Word) (int, bool) {
	i := 0
	for i < len(words) && isWrapperVariable(words[i]) {
		i++
	}
	for i < len(words) && words[i].Static {
		w, found := findWrapper(path.Base(words[i].Value))
		if !found {
			return i, true
		}
		var ok bool
		if i, ok = w.skip(words, i+1); !ok {
			return i, false
		}
	}
	return i, true
}

func findWrapper(name string) (wrapper, bool) {
	for _, w := range wrappers {
		if w.name == name {
			return w, true
		}
	}
	return wrapper{}, false
}

// skip consumes the wrapper's options, assignments and operands starting
// at words[i] and returns the index of the wrapped command.
func (w wrapper) skip(words []Word, i int) (int, bool) {
	for i < len(words) {
		word := words[i]
		if !word.Static {
			return i, !word.Hidden
		}
		v := word.Value
		if v == "--" {
			i++
			break
		}
		if len(v) < 2 || v[0] != '-' {
			break
		}
		name, _, attached := strings.Cut(v, "=")
		i++
		if strings.HasPrefix(v, "--") {
			if w.bails(name) {
				return i, false
			}
			for _, l := range w.valueLong {
				if name == l && !attached {
					i++
				}
			}
			continue
		}
		if w.name == "nice" && isNumber(v[1:]) {
			continue // nice -10
		}
		for k := 1; k < len(v); k++ {
			if w.bails("-" + v[k:k+1]) {
				return i, false
			}
			if strings.IndexByte(w.valueShort, v[k]) >= 0 {
				if k == len(v)-1 {
					i++
				}
				break
			}
		}
	}
	if w.assigns {
		for i < len(words) && isAssign(words[i].Value) {
			i++
		}
	}
	i += w.positional
	return i, true
}

func isAssign(s string) bool {
	name, _, ok := strings.Cut(s, "=")
	return ok && isName(name)
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (w wrapper) bails(opt string) bool {
	for _, b := range w.bail {
		if opt == b {
			return true
		}
	}
	return false
}
