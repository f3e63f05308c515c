package shell

import (
	"path"
	"strings"

	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/shellparse"
)

// setting is the state of one hardening setting on a command, with the
// flag that decided it.
type setting struct {
	state policy.Tri
	flag  *shellparse.Flag
}

// state is what a command already says about hardening.
type state struct {
	readOnly      setting
	readOnlyTmpfs setting // podman --read-only-tmpfs
	nnp           setting
	nnpColon      *shellparse.Flag // nerdctl: no-new-privileges:true, which it ignores
	mounts        []mount          // static mount targets (tmpfs, -v, --mount)
	// dynTargets are mounts whose target is not static: their static
	// prefix and suffix say which paths they may be.
	dynTargets []dynTarget
}

// A mount is a static mount target and the flag that sets it.
type mount struct {
	target string
	tmpfs  bool
	opts   string // a --tmpfs flag's options
	flag   *shellparse.Flag
}

// A dynTarget is a mount target built from a variable, "${X}/data" say.
type dynTarget struct {
	flag           *shellparse.Flag
	prefix, suffix string // the static text before and after the variables; unknown when the whole spec is
}

func readState(inv *shellparse.Invocation) state {
	var s state
	for i := range inv.Flags {
		f := &inv.Flags[i]
		switch f.Name {
		case "read-only":
			s.readOnly = setting{boolState(f), f}
		case "read-only-tmpfs":
			s.readOnlyTmpfs = setting{boolState(f), f}
		case "security-opt":
			s.securityOpt(f, inv.Engine)
		case "tmpfs":
			s.target(f, policy.TmpfsTarget(f.Value), true)
		case "volume":
			if v, ok := policy.ParseVolume(f.Value); ok {
				s.target(f, v.Target, false)
			} else {
				s.dynTargets = append(s.dynTargets, dynTarget{flag: f})
			}
		case "volumes-from":
			// The other container's mounts: any path may be one.
			s.dynTargets = append(s.dynTargets, dynTarget{flag: f})
		case "mount":
			if m, ok := policy.ParseMountOpt(f.Value); ok {
				s.target(f, m.Target, m.Type == "tmpfs")
			} else {
				s.dynTargets = append(s.dynTargets, dynTarget{flag: f})
			}
		}
	}
	return s
}

func boolState(f *shellparse.Flag) policy.Tri {
	if !f.Static {
		return policy.Dynamic
	}
	switch f.Value {
	case "1", "t", "T", "true", "TRUE", "True":
		return policy.On
	case "0", "f", "F", "false", "FALSE", "False":
		return policy.Off
	}
	return policy.Dynamic
}

func (s *state) securityOpt(f *shellparse.Flag, e shellparse.Engine) {
	t := policy.NoNewPrivileges(f.Value)
	if t == policy.Absent && !f.Static && strings.HasPrefix(f.Value, "${") {
		t = policy.Dynamic // the whole option comes from a variable
	}
	if t == policy.On && e == shellparse.Nerdctl && strings.HasPrefix(f.Value, "no-new-privileges:") {
		s.nnpColon = f
		return
	}
	if t == policy.Absent || s.nnp.state == policy.Off || s.nnp.state == policy.On && t == policy.Dynamic {
		return
	}
	s.nnp = setting{t, f}
}

func (s *state) target(f *shellparse.Flag, target string, tmpfs bool) {
	if i := strings.Index(target, "${"); i >= 0 {
		d := dynTarget{flag: f, prefix: target[:i]}
		if j := strings.LastIndexByte(target, '}'); j > i {
			d.suffix = target[j+1:]
		}
		s.dynTargets = append(s.dynTargets, d)
		return
	}
	m := mount{target: path.Clean(target), tmpfs: tmpfs, flag: f}
	if f.Name == "tmpfs" {
		_, m.opts, _ = strings.Cut(f.Value, ":")
	}
	s.mounts = append(s.mounts, m)
}

// mayTarget returns a mount whose target is not static but may be p (its
// static prefix and suffix fit p), or nil. "${HOME}/x" cannot be /tmp.
func (s *state) mayTarget(p string) *shellparse.Flag {
	for _, d := range s.dynTargets {
		if strings.HasPrefix(p, d.prefix) && strings.HasSuffix(p, d.suffix) {
			return d.flag
		}
	}
	return nil
}
