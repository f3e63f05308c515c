package policy

import (
	"path"
	"strings"
)

// A Mount is what the policy needs to know about one mount.
type Mount struct {
	Source string // host path or volume name, as written ("" for anonymous)
	Target string // path in the container
	Bind   bool   // a bind mount of a host path
	// Kind is what the source is when the mount says so (a Kubernetes
	// hostPath's type); PathUnknown otherwise.
	Kind PathKind
	// Created is set when the mount creates its source empty if it is
	// missing (hostPath FileOrCreate, DirectoryOrCreate): it is there for
	// the container to write.
	Created bool
}

// A Decision says whether a mount should become read-only, and why.
type Decision struct {
	ReadOnly bool
	Reason   string // why it becomes read-only, or why it stays writable
	// Warning is set when read-only is not the whole story (the engine
	// socket: :ro on the socket file does not limit the API).
	Warning string
}

// socketNames are the engine API sockets.
var socketNames = []string{"docker.sock", "podman.sock", "containerd.sock", "nerdctl.sock"}

// writableEtcDirs are directories under /etc that applications write
// (generated keys, certificates, configuration written at first start;
// CNI installers write their network configuration into /etc/cni/net.d).
var writableEtcDirs = []string{
	"/etc/letsencrypt", "/etc/pihole", "/etc/dnsmasq.d", "/etc/gitlab",
	"/etc/wireguard", "/etc/openvpn", "/etc/ssh", "/etc/ssl", "/etc/traefik/acme",
	"/etc/cni",
}

// stateExtensions mark files an application writes even though they look
// like single files of configuration.
var stateExtensions = []string{
	".db", ".sqlite", ".sqlite3", ".log", ".lock", ".pid", ".state", ".journal", ".bak",
}

// stateFiles are file names that hold state an application writes.
var stateFiles = []string{"acme.json", ".bash_history", ".ash_history", ".sh_history", ".python_history"}

// IsSocket reports whether a mount is an engine API socket.
func IsSocket(m Mount) bool {
	for _, s := range socketNames {
		if path.Base(m.Target) == s || path.Base(strings.ReplaceAll(m.Source, `\`, "/")) == s {
			return true
		}
	}
	return false
}

// Decide says whether m should become read-only under the policy. It is
// never called for mounts with an explicit mode: those are the author's.
func (p Policy) Decide(m Mount) Decision {
	if !m.Bind {
		return Decision{Reason: "not a bind mount"}
	}
	if p.ROMounts == ROMountsOff {
		return Decision{Reason: "ro-mounts is off"}
	}
	if IsSocket(m) {
		return Decision{ReadOnly: true, Reason: "engine socket",
			Warning: "the engine socket is mounted: :ro does not limit the API, the container still controls the engine"}
	}
	if m.Created {
		return Decision{Reason: "its source is created empty when missing, for the container to write"}
	}
	if stateful, why := isState(m); stateful {
		return Decision{Reason: why}
	}
	if p.ROMounts == ROMountsBinds {
		return Decision{ReadOnly: true, Reason: "ro-mounts is binds"}
	}
	target := path.Clean(m.Target)
	if target == "/etc" || strings.HasPrefix(target, "/etc/") {
		return Decision{ReadOnly: true, Reason: "configuration under /etc"}
	}
	if p.isFileSource(m) {
		return Decision{ReadOnly: true, Reason: "single file"}
	}
	return Decision{Reason: "a directory the container may write (use --ro-mounts=binds to make every bind read-only)"}
}

func isState(m Mount) (bool, string) {
	target := path.Clean(m.Target)
	for _, dir := range writableEtcDirs {
		if target == dir || strings.HasPrefix(target, dir+"/") {
			return true, dir + " holds state the application writes"
		}
	}
	for _, p := range []string{m.Source, m.Target} {
		base := lastElement(p)
		for _, f := range stateFiles {
			if base == f {
				return true, base + " is written by the application"
			}
		}
		ext := strings.ToLower(path.Ext(base))
		for _, e := range stateExtensions {
			if ext == e {
				return true, base + " looks like state the application writes"
			}
		}
	}
	return false, ""
}

func lastElement(p string) string {
	p = strings.TrimRight(strings.ReplaceAll(p, `\`, "/"), "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	return p
}
