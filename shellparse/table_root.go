package shellparse

// rootFlags are the flags that may stand between the program and its
// subcommand ("docker -H tcp://x --context prod run"). Scope bits: the run
// bit of an engine marks a root flag of that engine (root flags do not
// depend on the subcommand). Sources: the shared notes (../shared/notes/dockerrun.md),
// sections 1.2, 2.1 and 2.2.
var rootFlags = []flagSpec{
	// docker (cli/flags/options.go, cmd/docker/docker.go)
	{"config", 0, true, dRun | pRun},
	{"context", 'c', true, dRun},
	{"debug", 'D', false, dRun | pRun},
	{"host", 'H', true, dRun | pRun},
	{"log-level", 'l', true, dRun},
	{"tls", 0, false, dRun},
	{"tlscacert", 0, true, dRun},
	{"tlscert", 0, true, dRun},
	{"tlskey", 0, true, dRun},
	{"tlsverify", 0, false, dRun},

	// podman local root flags (cmd/podman/root.go)
	{"ssh", 0, true, pRun},
	{"connection", 'c', true, pRun},
	{"url", 0, true, pRun},
	{"context", 0, true, pRun},
	{"identity", 0, true, pRun},
	{"tls-cert", 0, true, pRun},
	{"tls-key", 0, true, pRun},
	{"tls-ca", 0, true, pRun},
	{"tls-details", 0, true, pRun},
	{"out", 0, true, pRun},
	{"noout", 0, false, pRun},
	{"remote", 'r', false, pRun},
	{"module", 0, true, pRun},

	// nerdctl root flags with their shorthands (cmd/nerdctl/main.go)
	{"address", 'a', true, nRun},
	{"host", 'H', true, nRun},
	{"namespace", 'n', true, nRun},
}

// lookupRoot looks a root flag up: first the engine's root-only flags, then
// its persistent flags (which are also valid after the subcommand).
func lookupRoot(name string, short byte, e Engine) (flagSpec, bool) {
	if short != 0 {
		if f, ok := lookupShort(rootFlags, short, e, false); ok {
			return f, true
		}
		return flagSpec{}, false
	}
	if f, ok := lookupLong(rootFlags, name, e, false); ok {
		return f, true
	}
	if e == Docker {
		return flagSpec{}, false
	}
	// podman and nerdctl persistent root flags are in runFlags with both
	// run and create scopes; docker has none.
	return lookupPersistent(name, e)
}

// lookupPersistent finds a persistent root flag of podman or nerdctl (kept
// in runFlags, since they are also valid after the subcommand).
func lookupPersistent(name string, e Engine) (flagSpec, bool) {
	switch name {
	case "cdi-spec-dir", "cgroup-manager", "conmon", "cpu-profile", "default-mounts-file",
		"events-backend", "hooks-dir", "imagestore", "log-level", "max-workers", "memory-profile",
		"namespace", "network-backend", "network-config-dir", "pull-option", "registries-conf",
		"root", "runroot", "runtime-flag", "storage-driver", "syslog", "tmpdir", "trace",
		"transient-store", "volumepath", "runtime", "storage-opt",
		"address", "bridge-ip", "cdi-spec-dirs", "cni-netconfpath", "cni-path", "data-root",
		"debug", "debug-full", "experimental", "global-dns", "global-dns-opts", "global-dns-search",
		"host-gateway-ip", "hosts-dir", "insecure-registry", "kube-hide-dupe", "selinux-enabled",
		"snapshotter", "userns-remap":
		return lookupLong(runFlags, name, e, false)
	}
	return flagSpec{}, false
}
