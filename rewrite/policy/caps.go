package policy

// This file is the knowledge behind the opt-in rules cap-drop and
// non-root: the Linux capability names, how a capability or a user is
// written, and what the facts caps, run_as and needs_root must look like.

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// capabilities are the Linux capabilities (capabilities(7), Linux 6.x),
// canonical: upper case, without the CAP_ prefix.
var capabilities = []string{
	"AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "BPF",
	"CHECKPOINT_RESTORE", "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH",
	"FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE",
	"LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN",
	"NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW", "PERFMON", "SETFCAP",
	"SETGID", "SETPCAP", "SETUID", "SYSLOG", "SYS_ADMIN", "SYS_BOOT",
	"SYS_CHROOT", "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE",
	"SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "WAKE_ALARM",
}

// engineDefaultCaps is the set Docker and Podman give a container that
// asks for none (moby's oci/caps/defaults.go; Podman's containers.conf
// default_capabilities adds none of the others).
var engineDefaultCaps = []string{
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
	"MKNOD", "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP",
	"SETUID", "SYS_CHROOT",
}

// IsCapability reports whether name is a canonical capability name.
func IsCapability(name string) bool {
	_, found := slices.BinarySearch(capabilities, name)
	return found
}

// CapName returns the canonical name of a capability as a file or a flag
// writes it ("cap_chown", "CAP_CHOWN", "chown": CHOWN; "all": ALL), and
// whether it names a capability or ALL.
func CapName(s string) (string, bool) {
	name := CanonicalCap(s)
	if name == "ALL" || IsCapability(name) {
		return name, true
	}
	return "", false
}

// CanonicalCap returns a capability as rofix writes it, upper case without
// the CAP_ prefix ("cap_chown": CHOWN), whether or not the name is known.
func CanonicalCap(s string) string {
	return strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "CAP_")
}

// EngineDefaultCaps returns the capabilities a container gets from Docker
// or Podman when the file asks for none, sorted: where rofix try starts
// removing from.
func EngineDefaultCaps() []string { return slices.Clone(engineDefaultCaps) }

// IsRootUser reports whether a user as written (NAME or UID, with an
// optional :GROUP) is root: "", "0", "root", "0:0", "root:root".
func IsRootUser(user string) bool {
	name, _, _ := strings.Cut(user, ":")
	return name == "" || name == "root" || name == "0"
}

// runAsPattern is the form of run_as: numeric UID:GID.
var runAsPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{1,10}:[0-9]{1,10}$`) })

// CheckRunAs says what is wrong with a run_as value, or "": it must be a
// numeric UID:GID (Kubernetes' runAsUser takes only numbers), not root.
func CheckRunAs(s string) string {
	switch {
	case !runAsPattern().MatchString(s):
		return fmt.Sprintf("run_as %q: want a numeric UID:GID such as \"999:999\"", s)
	case IsRootUser(s):
		return fmt.Sprintf("run_as %q is root: want the image's unprivileged user", s)
	}
	return ""
}

// checkPrivileges reports the first error of the facts of the opt-in
// rules of an entry or range named name: a capability that is not
// canonical (or not sorted, or twice), a malformed run_as, run_as beside
// needs_root.
func (e *ImageEntry) checkPrivileges(name string) error {
	for i, c := range e.Caps {
		if canon, ok := CapName(c); !ok || canon != c || c == "ALL" {
			return fmt.Errorf("%s: caps: %q is not a capability name (upper case, no CAP_ prefix: CHOWN, NET_BIND_SERVICE)", name, c)
		}
		if i > 0 && e.Caps[i-1] >= c {
			return fmt.Errorf("%s: caps: want each capability once, sorted (%s before %s)", name, c, e.Caps[i-1])
		}
	}
	if e.RunAs != "" {
		if msg := CheckRunAs(e.RunAs); msg != "" {
			return fmt.Errorf("%s: %s", name, msg)
		}
	}
	if e.RunAs != "" && strings.TrimSpace(e.NeedsRoot) != "" {
		return fmt.Errorf("%s: run_as and needs_root contradict each other", name)
	}
	if e.NeedsRoot != "" && strings.TrimSpace(e.NeedsRoot) == "" {
		return fmt.Errorf("%s: needs_root wants the reason, in words", name)
	}
	return nil
}

// SortCaps returns the canonical names of caps, sorted, each once; an
// item that names no capability is returned in bad.
func SortCaps(caps []string) (out []string, bad string) {
	out = make([]string, 0, len(caps))
	for _, c := range caps {
		canon, ok := CapName(c)
		if !ok || canon == "ALL" {
			return nil, c
		}
		out = append(out, canon)
	}
	slices.Sort(out)
	return slices.Compact(out), ""
}

// capWords are, for the capabilities whose use shows in a line of an
// entrypoint or Dockerfile, the words one of the quotes of its evidence
// must hold (lower case; compared with the quotes in lower case).
var capWords = map[string][]string{
	"CHOWN":        {"chown"},
	"SETUID":       {"gosu", "su-exec", "setpriv", "su ", "setuid", "user"},
	"SETGID":       {"gosu", "su-exec", "setpriv", "su ", "setuid", "user"},
	"DAC_OVERRIDE": {"chown", "chmod", "mkdir", "find"},
	"FOWNER":       {"chown", "chmod", "mkdir", "find"},
}

// lowPort finds a number that may be a port below 1024.
var lowPort = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\b[0-9]{1,4}\b`) })

// mentionsCap says why the quotes do not show the operation that needs
// capability name, or "".
func mentionsCap(name, quotes string) string {
	lower := strings.ToLower(quotes)
	if name == "NET_BIND_SERVICE" {
		if strings.Contains(lower, "listen") {
			return ""
		}
		for _, m := range lowPort().FindAllString(quotes, -1) {
			if n, _ := strconv.Atoi(m); n > 0 && n < 1024 {
				return ""
			}
		}
		return "no quote shows a port below 1024 or a listen"
	}
	words := capWords[name]
	if len(words) == 0 || containsAny(lower, words...) {
		return ""
	}
	return "no quote shows " + strings.Join(words, ", ")
}
