package unit

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/shellparse"
)

// podmanArgs is what a unit's PodmanArgs= settings say about hardening,
// read with podman run's flag grammar (the words go on podman's command
// line before the image, as Quadlet writes them).
type podmanArgs struct {
	// unreadable is the error of a word the grammar does not parse (an
	// unknown flag, a flag without its value): nothing else can be known.
	unreadable error
	readOnly   policy.Tri // --read-only[=BOOL]
	nnp        policy.Tri // --security-opt no-new-privileges[=BOOL]
	// noEngineTmpfs is --read-only-tmpfs=false: podman mounts no tmpfs
	// of its own on a read-only container.
	noEngineTmpfs bool
	mounts        []argMount
	env           map[string]string
	envUnknown    bool // --env-file, --env NAME (from the host), --env-host
	user          string
	userSet       bool // --user, whatever its value
	// capAdd and capDrop are the --cap-add and --cap-drop values, split
	// on commas (nil when none); capsDynamic is one that is not static.
	capAdd, capDrop []string
	capsDynamic     bool
	// privileged, platform and workdir are --privileged, --platform and
	// --workdir, for policy.Judge.
	privileged        bool
	platform, workdir string
}

// An argMount is a mount target given by a -v, --mount or --tmpfs flag.
type argMount struct {
	target string
	tmpfs  bool
	opts   string
}

// readPodmanArgs parses the values of the PodmanArgs= settings, split into
// words the way systemd splits them. A word holding a specifier (%h) or a
// variable is not static: its flag counts, its value is not known.
func readPodmanArgs(values []string) podmanArgs {
	pa := podmanArgs{env: map[string]string{}}
	var words []shellparse.Word
	for _, v := range values {
		for _, w := range envWords(v) {
			static := !strings.ContainsAny(w, "%$")
			words = append(words, shellparse.Word{Value: w, Static: static})
		}
	}
	if len(words) == 0 {
		return pa
	}
	args, ferr := shellparse.ParseArgs(shellparse.Podman, false, words, 0)
	if ferr != nil {
		pa.unreadable = ferr
		return pa
	}
	for _, f := range args.Flags {
		if !f.Static && (f.Name == "volume" || f.Name == "mount" || f.Name == "tmpfs") {
			pa.unreadable = fmt.Errorf("the target of --%s %s is not known before the unit starts", f.Name, f.Value)
			return pa
		}
		pa.flag(f)
	}
	return pa
}

func (pa *podmanArgs) flag(f shellparse.Flag) {
	switch f.Name {
	case "read-only":
		pa.readOnly = flagBool(f)
	case "read-only-tmpfs":
		pa.noEngineTmpfs = flagBool(f) == policy.Off
	case "security-opt":
		if t := policy.NoNewPrivileges(f.Value); t != policy.Absent && pa.nnp != policy.Off {
			pa.nnp = t
		}
	case "tmpfs":
		_, opts, _ := strings.Cut(f.Value, ":")
		pa.mount(policy.TmpfsTarget(f.Value), true, opts)
	case "volume":
		if v, ok := policy.ParseVolume(f.Value); ok {
			pa.mount(v.Target, false, "")
		}
	case "mount":
		if m, ok := policy.ParseMountOpt(f.Value); ok {
			pa.mount(m.Target, m.Type == "tmpfs", "")
		}
	case "env":
		name, val, ok := strings.Cut(f.Value, "=")
		if !ok || !f.Static {
			pa.envUnknown = true
		}
		pa.env[name] = val
	case "env-file", "env-host", "env-merge":
		pa.envUnknown = true
	case "user":
		pa.user, pa.userSet = f.Value, true
	case "cap-add", "cap-drop":
		list := &pa.capAdd
		if f.Name == "cap-drop" {
			list = &pa.capDrop
		}
		if *list == nil {
			*list = []string{}
		}
		if !f.Static {
			pa.capsDynamic = true
			return
		}
		*list = append(*list, strings.Split(f.Value, ",")...)
	case "privileged":
		pa.privileged = pa.privileged || flagBool(f) == policy.On
	case "platform":
		pa.platform = f.Value
	case "workdir":
		pa.workdir = f.Value
	}
}

// mount records a mount target.
func (pa *podmanArgs) mount(target string, tmpfs bool, opts string) {
	pa.mounts = append(pa.mounts, argMount{target: path.Clean(target), tmpfs: tmpfs, opts: opts})
}

// flagBool reads a boolean flag's value as pflag does.
func flagBool(f shellparse.Flag) policy.Tri {
	if !f.Static {
		return policy.Dynamic
	}
	b, err := strconv.ParseBool(f.Value)
	switch {
	case err != nil:
		return policy.Dynamic
	case b:
		return policy.On
	}
	return policy.Off
}
