package shellparse

import (
	"fmt"
	"strings"
)

// A Flag is one flag of a run or create command, as parsed.
type Flag struct {
	// Name is the long name without dashes ("volume" for -v).
	Name string
	// Word is the index (in Invocation.Words) of the word holding the flag.
	Word int
	// ValueWord is the index of the word holding the value: Word when the
	// value is attached (--name=x, -v/x:/y, -dp80:80), Word+1 when it is the
	// next word, -1 for a boolean flag without "=value".
	ValueWord int
	// Value is the flag's value: the attached or next word's value (with
	// placeholders for expansions), "true" for a boolean flag given alone.
	Value string
	// Static is false when the value holds an expansion.
	Static bool
}

// A FlagError is a flag the grammar cannot parse: an unknown flag or a value
// flag without its value. The command cannot be analysed.
type FlagError struct {
	Word int // index of the offending word
	Msg  string
}

func (e *FlagError) Error() string { return e.Msg }

// Args is the result of parsing the words after run or create.
type Args struct {
	Flags []Flag
	// Image is the index of the first non-flag word (the image), or
	// len(words) when there is none.
	Image int
	// Hidden lists the words before the image that may expand to unknown
	// arguments ("${args[@]}", "$@", $OPTS).
	Hidden []int
}

// ParseArgs parses words[from:] with pflag's rules for the run (or create)
// command of engine e, interspersed=false: parsing stops at the first
// non-flag word, the image, or after "--". A value flag consumes the next
// word whatever it looks like; a boolean flag never does.
//
// After a hidden word, parsing goes on, but an unknown flag there ends the
// flag region at the hidden word instead of failing: the hidden word may
// have been the image itself.
func ParseArgs(e Engine, create bool, words []Word, from int) (Args, *FlagError) {
	a := Args{Image: len(words)}
	for j := from; j < len(words); j++ {
		w := words[j]
		if w.Hidden {
			a.Hidden = append(a.Hidden, j)
			continue
		}
		v := w.Value
		if v == "--" {
			a.Image = j + 1
			return a, nil
		}
		if len(v) < 2 || v[0] != '-' {
			a.Image = j
			return a, nil
		}
		next, err := parseFlag(e, create, words, j, &a)
		if err != nil {
			if len(a.Hidden) > 0 {
				return a.cutAt(a.Hidden[0]), nil
			}
			return a, err
		}
		j = next
	}
	return a, nil
}

// cutAt ends the flag region at word i: it becomes the image.
func (a Args) cutAt(i int) Args {
	var flags []Flag
	for _, f := range a.Flags {
		if f.Word < i {
			flags = append(flags, f)
		}
	}
	return Args{Flags: flags, Image: i}
}

// parseFlag parses the flag at words[j] and returns the index of its last
// word.
func parseFlag(e Engine, create bool, words []Word, j int, a *Args) (int, *FlagError) {
	v := words[j].Value
	if strings.HasPrefix(v, "--") {
		name, val, hasVal := strings.Cut(v[2:], "=")
		spec, ok := lookupLong(runFlags, name, e, create)
		if !ok || strings.Contains(name, "${") {
			return j, &FlagError{j, fmt.Sprintf("unknown flag --%s for %s %s", name, e, sub(create))}
		}
		return takeValue(spec, words, j, val, hasVal, a)
	}
	for k := 1; k < len(v); k++ {
		spec, ok := lookupShort(runFlags, v[k], e, create)
		if !ok {
			return j, &FlagError{j, fmt.Sprintf("unknown shorthand flag '%c' in %s for %s %s", v[k], v, e, sub(create))}
		}
		rest := v[k+1:]
		if !spec.value {
			if strings.HasPrefix(rest, "=") {
				a.Flags = append(a.Flags, Flag{Name: spec.long, Word: j, ValueWord: j, Value: rest[1:], Static: words[j].Static})
				return j, nil
			}
			a.Flags = append(a.Flags, Flag{Name: spec.long, Word: j, ValueWord: -1, Value: "true", Static: true})
			continue
		}
		if rest != "" {
			return takeValue(spec, words, j, strings.TrimPrefix(rest, "="), true, a)
		}
		return takeValue(spec, words, j, "", false, a)
	}
	return j, nil
}

func takeValue(spec flagSpec, words []Word, j int, val string, hasVal bool, a *Args) (int, *FlagError) {
	switch {
	case hasVal:
		a.Flags = append(a.Flags, Flag{Name: spec.long, Word: j, ValueWord: j, Value: val, Static: words[j].Static})
		return j, nil
	case !spec.value:
		a.Flags = append(a.Flags, Flag{Name: spec.long, Word: j, ValueWord: -1, Value: "true", Static: true})
		return j, nil
	case j+1 >= len(words):
		return j, &FlagError{j, fmt.Sprintf("flag --%s needs a value", spec.long)}
	}
	w := words[j+1]
	a.Flags = append(a.Flags, Flag{Name: spec.long, Word: j, ValueWord: j + 1, Value: w.Value, Static: w.Static})
	return j + 1, nil
}

func sub(create bool) string {
	if create {
		return "create"
	}
	return "run"
}
