package config

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/policy"
)

// The keys of an image entry, as in the built-in table's schema.
var entryKeys = []string{"name", "match", "from", "unset", "user", "caps", "run_as", "needs_root", "tmpfs", "volumes", "image_volumes", "optional_volumes", "no_tmpfs", "env", "verdict", "checks", "conditions", "traits", "confidence", "sources"}

var checkKeys = []string{"env", "value", "set", "unset", "mount", "user", "why"}

var envKeys = []string{"name", "value", "why", "required", "any_value"}

// entry decodes one image entry (withMatch) or service override. ok is
// false when it had an error.
func (d *decoder) entry(n *yaml.Node, where string, withMatch bool) (*policy.ImageEntry, bool) {
	before := len(d.errs)
	e := &policy.ImageEntry{}
	keys := entryKeys
	if !withMatch {
		keys = slices.DeleteFunc(slices.Clone(entryKeys), func(k string) bool { return k == "match" })
	}
	if !d.mapping(n, where, func(key string, k, v *yaml.Node) {
		at := where + "." + key
		switch key {
		case "name":
			e.Name, _ = d.str(v, at)
		case "match":
			if !withMatch {
				d.errorf(k, "a service override has no match: it applies to service %s by name", strings.TrimPrefix(where, "services."))
				return
			}
			var ok bool
			if e.Match, ok = d.list(v, at); !ok {
				return
			}
			for i, m := range e.Match {
				if strings.TrimSpace(m) == "" || strings.ContainsAny(m, " \t") {
					d.errorf(resolve(v.Content[i]), "%s[%d] is %q: want an image pattern such as nginx or registry.example.com/web", at, i, m)
				}
			}
		case "tmpfs":
			var ok bool
			if e.Tmpfs, ok = d.list(v, at); !ok {
				return
			}
			for i, t := range e.Tmpfs {
				if msg := checkTmpfs(t); msg != "" {
					d.errorf(resolve(v.Content[i]), "%s[%d]: %s", at, i, msg)
				}
			}
		case "volumes", "image_volumes", "optional_volumes", "no_tmpfs":
			paths, ok := d.list(v, at)
			if !ok {
				return
			}
			for i, p := range paths {
				if msg := checkPath(p); msg != "" {
					d.errorf(resolve(v.Content[i]), "%s[%d]: %s", at, i, msg)
				}
			}
			switch key {
			case "volumes":
				e.Volumes = paths
			case "image_volumes":
				e.ImageVolumes = paths
			case "optional_volumes":
				e.OptionalVolumes = paths
			default:
				e.NoTmpfs = paths
			}
		case "env":
			e.Env = d.env(v, at)
		case "verdict":
			if s, ok := d.str(v, at); ok {
				switch policy.Verdict(s) {
				case policy.Works, policy.WorksWithConditions, policy.DoesNotWork:
					e.Verdict = policy.Verdict(s)
				default:
					d.errorf(v, "%s is %q: want yes, cond or no", at, s)
				}
			}
		case "conditions":
			e.Conditions, _ = d.str(v, at)
		case "checks":
			e.Checks = d.checks(v, at)
		case "from":
			e.From, _ = d.str(v, at)
		case "unset":
			e.Unset, _ = d.list(v, at)
		case "user":
			e.User, _ = d.str(v, at)
		case "caps":
			e.Caps = d.caps(v, at)
		case "run_as":
			if s, ok := d.str(v, at); ok {
				if msg := policy.CheckRunAs(s); msg != "" {
					d.errorf(v, "%s", msg)
				}
				e.RunAs = s
			}
		case "needs_root":
			if s, ok := d.str(v, at); ok {
				if strings.TrimSpace(s) == "" {
					d.errorf(v, "%s wants the reason the image must start as root, in words", at)
				}
				e.NeedsRoot = s
			}
		case "traits":
			var ok bool
			if e.Traits, ok = d.list(v, at); !ok {
				return
			}
			for i, t := range e.Traits {
				if !policy.IsTrait(t) {
					d.errorf(resolve(v.Content[i]), "%s[%d] is %q: want s6 or jvm", at, i, t)
				}
			}
		case "confidence":
			if s, ok := d.str(v, at); ok {
				if !slices.Contains(Confidences, s) {
					d.errorf(v, "%s is %q: want one of %s", at, s, strings.Join(Confidences, ", "))
				}
				e.Confidence = s
			}
		case "sources":
			e.Sources, _ = d.list(v, at)
		default:
			d.unknown(k, where, keys)
		}
	}) {
		return nil, false
	}
	if len(d.errs) != before {
		return nil, false
	}
	if withMatch && len(e.Match) == 0 {
		d.errorf(n, "%s has no match patterns: it would apply to no image", where)
		return nil, false
	}
	if e.Name == "" {
		e.Name = defaultName(where, e)
	}
	d.check(n, where, e)
	return e, len(d.errs) == before
}

// defaultName names an entry that has no name: an image entry by its first
// pattern, a service override by its service.
func defaultName(where string, e *policy.ImageEntry) string {
	if len(e.Match) > 0 {
		return e.Match[0]
	}
	if svc, ok := strings.CutPrefix(where, "services."); ok {
		return "service " + svc
	}
	return where
}

func (d *decoder) env(n *yaml.Node, where string) []policy.EnvSetting {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list of {name, value, why}, not %s", where, kindName(n))
		return nil
	}
	var out []policy.EnvSetting
	for i, item := range n.Content {
		item = resolve(item)
		at := fmt.Sprintf("%s[%d]", where, i)
		var s policy.EnvSetting
		d.mapping(item, at, func(key string, k, v *yaml.Node) {
			switch key {
			case "name":
				s.Name, _ = d.str(v, at+".name")
			case "value":
				s.Value, _ = d.str(v, at+".value")
			case "why":
				s.Why, _ = d.str(v, at+".why")
			case "required":
				s.Required, _ = d.boolean(v, at+".required")
			case "any_value":
				s.AnyValue, _ = d.boolean(v, at+".any_value")
			default:
				d.unknown(k, at, envKeys)
			}
		})
		if item.Kind == yaml.MappingNode && s.Name == "" {
			d.errorf(item, "%s has no name", at)
		}
		out = append(out, s)
	}
	return out
}

// checks decodes the checks of a cond verdict (see policy.Check).
func (d *decoder) checks(n *yaml.Node, where string) []policy.Check {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list of checks ({env: NAME, unset: true}, {mount: /path}, {user: non-root}), not %s", where, kindName(n))
		return nil
	}
	var out []policy.Check
	for i, item := range n.Content {
		item = resolve(item)
		at := fmt.Sprintf("%s[%d]", where, i)
		var c policy.Check
		d.mapping(item, at, func(key string, k, v *yaml.Node) {
			switch key {
			case "env":
				c.Env, _ = d.str(v, at+".env")
			case "value":
				c.Value, _ = d.str(v, at+".value")
			case "set":
				c.Set, _ = d.boolean(v, at+".set")
			case "unset":
				c.Unset, _ = d.boolean(v, at+".unset")
			case "mount":
				c.Mount, _ = d.str(v, at+".mount")
			case "user":
				c.User, _ = d.str(v, at+".user")
			case "why":
				c.Why, _ = d.str(v, at+".why")
			default:
				d.unknown(k, at, checkKeys)
			}
		})
		out = append(out, c)
	}
	return out
}

// caps decodes a list of capabilities: known names in any spelling
// (chown, CAP_CHOWN), made canonical and sorted; [] is "needs none",
// null unknown.
func (d *decoder) caps(n *yaml.Node, where string) []string {
	names, ok := d.list(n, where)
	if !ok || names == nil {
		return nil
	}
	for i, c := range names {
		if name, known := policy.CapName(c); !known || name == "ALL" {
			d.errorf(resolve(n.Content[i]), "%s[%d] is %q: want a Linux capability name such as CHOWN, SETUID or NET_BIND_SERVICE", where, i, c)
		}
	}
	out, _ := policy.SortCaps(names)
	return out
}

// checkPath says what is wrong with a container path, or "".
func checkPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		return fmt.Sprintf("%q is not an absolute path", p)
	}
	if c := policy.CanonicalPath(p); c != p {
		if c == path.Clean(p) {
			return fmt.Sprintf("%q is not a clean path: write %s", p, c)
		}
		return fmt.Sprintf("%q goes through a symlink: write %s (a tmpfs on a symlink fails)", p, c)
	}
	return ""
}

// check runs the table's own structural check (ImageEntry.Check) on an
// entry whose fields were each valid: it finds what only the whole entry
// shows, such as a tmpfs on one of its state paths. A service override
// is checked as an entry matching its service.
func (d *decoder) check(n *yaml.Node, where string, e *policy.ImageEntry) {
	probe := *e
	if len(probe.Match) == 0 {
		probe.Match = []string{"service"}
	}
	if probe.Verdict == "" {
		probe.Verdict = policy.Works
	}
	if probe.Confidence == DefaultConfidence {
		probe.Confidence = "" // the table's check knows only its own levels
	}
	if err := probe.Check(); err != nil {
		d.errorf(n, "%s: %v", where, err)
	}
}

// tmpfsFlags are the mount options without a value a tmpfs accepts
// (mount(8), tmpfs(5), and the engines' own tmpcopyup/notmpcopyup).
var tmpfsFlags = []string{
	"rw", "ro", "exec", "noexec", "suid", "nosuid", "dev", "nodev",
	"atime", "noatime", "diratime", "nodiratime", "relatime", "norelatime",
	"strictatime", "nostrictatime", "sync", "async", "dirsync",
	"tmpcopyup", "notmpcopyup",
}

// tmpfsValues check the options with a value; compiled on first use.
var tmpfsValues = sync.OnceValue(func() map[string]*regexp.Regexp {
	return map[string]*regexp.Regexp{
		"size":      regexp.MustCompile(`^[0-9]+[kKmMgG%]?$`),
		"mode":      regexp.MustCompile(`^[0-7]{3,4}$`),
		"uid":       regexp.MustCompile(`^[0-9]+$`),
		"gid":       regexp.MustCompile(`^[0-9]+$`),
		"nr_inodes": regexp.MustCompile(`^[0-9]+[kKmMgG]?$`),
		"nr_blocks": regexp.MustCompile(`^[0-9]+[kKmMgG]?$`),
	}
})

// checkTmpfs says what is wrong with a "PATH[:OPTIONS]" tmpfs entry, or "".
func checkTmpfs(entry string) string {
	p, opts, hasOpts := strings.Cut(entry, ":")
	if msg := checkPath(p); msg != "" {
		return msg
	}
	if !hasOpts {
		return ""
	}
	for _, o := range strings.Split(opts, ",") {
		key, val, hasVal := strings.Cut(o, "=")
		switch re, known := tmpfsValues()[key]; {
		case !hasVal && slices.Contains(tmpfsFlags, key):
		case hasVal && known && re.MatchString(val):
		case known:
			return fmt.Sprintf("option %q of %q: %s= wants a value like %s", o, entry, key, optionExample[key])
		default:
			return fmt.Sprintf("unknown tmpfs option %q in %q (known: exec, noexec, uid=, gid=, mode=, size=, ...)", o, entry)
		}
	}
	return ""
}

var optionExample = map[string]string{"size": "64m", "mode": "1777", "uid": "1000", "gid": "1000", "nr_inodes": "10k", "nr_blocks": "1k"}
