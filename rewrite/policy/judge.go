package policy

import (
	"fmt"
	"path"
	"strings"
)

// This file judges, the same way for every engine, whether a container is
// a service rofix hardens or one it leaves alone: the engines describe how
// a container is used (a Role) and Apply asks Judge before anything else.
// The rules, in order:
//
//   - a container created and never started in the file (docker create to
//     copy files out of an image) is left alone: it never runs;
//   - a privileged container is left alone: it can remount its root and
//     undo any setting, and binfmt installers or docker-in-docker need it;
//   - a Windows container is left alone: the Windows daemon rejects a
//     read-only root and tmpfs;
//   - a container the same script later changes (docker exec ... apt-get
//     install, docker cp into it) keeps a writable root;
//   - a job (a build or package tool as its command, an interactive shell,
//     a host directory mounted as its working directory) keeps a writable
//     root: it writes caches and homes rofix does not give it.
//
// "Left alone" means no edit at all, reported once; a writable root means
// no read-only (nor its tmpfs), while no-new-privileges and :ro on the
// configuration it reads still apply: a build or a package install needs
// neither setuid nor writes to its configuration.

// A Bind is a host path or pipe mounted into a container, as written.
type Bind struct {
	Source, Target string
}

// A Role is how a file uses a container: the facts Judge decides on.
// Engines fill what they can read; the zero Role is a service.
type Role struct {
	// Privileged is true for privileged: true or --privileged.
	Privileged bool
	// Platform and Isolation are the platform (windows/amd64) and the
	// isolation (process, hyperv) asked for, as written.
	Platform, Isolation string
	// Binds are the host paths mounted into the container.
	Binds []Bind
	// Paths are other paths of the container the file names, as written:
	// mount specs rofix cannot split, docker cp's container paths.
	Paths []string
	// Command is what the container runs, word by word (entrypoint and
	// command as written; a variable as written).
	Command []string
	// Interactive is true for a container with stdin and a terminal (-it).
	Interactive bool
	// WorkDir is the working directory set for the container, if any.
	WorkDir string
	// ChangedBy, when set, says how the same file later changes the
	// container's root ("line 12: docker exec -u root $CID apt-get
	// install").
	ChangedBy string
	// NeverStarted, when set, says what the file does with a created
	// container that it never starts ("line 9: docker cp $id:/app .").
	NeverStarted string
	// WindowsSibling, when set, says that another container of the same
	// project is a Windows container ("service db: image ...nanoserver"):
	// a compose project runs on one daemon, so this one is Windows too.
	WindowsSibling string
}

// A Judgement is what Judge decides for a container.
type Judgement struct {
	// Alone is true when the container is left entirely alone.
	Alone bool
	// Writable is true when the container keeps a writable root.
	Writable bool
	// Reason says why, for the reader of a pull request.
	Reason string
	// Quiet is true when the reason asks nothing of a person (a container
	// that never runs): engines report it as a note (finding.Plan.Note).
	Quiet bool
}

// Judge decides whether a container running image, used as r says, is a
// service rofix hardens (the zero Judgement), one it leaves alone, or one
// that keeps a writable root.
func Judge(image string, r Role) Judgement {
	if r.NeverStarted != "" {
		return Judgement{Alone: true, Quiet: true, Reason: fmt.Sprintf("created and never started here (%s): a container made only to copy files out of its image; left alone", r.NeverStarted)}
	}
	if r.Privileged {
		return Judgement{Alone: true, Reason: "privileged: left alone (it can remount its root and undo any hardening, and what runs privileged, such as binfmt installers, docker-in-docker and nested engines, writes the system); review why it needs privileged"}
	}
	if why := windows(image, r); why != "" {
		return Judgement{Alone: true, Reason: "a Windows container (" + why + "): the Windows daemon rejects a read-only root and tmpfs; left alone"}
	}
	if r.ChangedBy != "" {
		return Judgement{Writable: true, Reason: fmt.Sprintf("the script later changes this container (%s): it needs a writable root, so rofix does not make it read-only", r.ChangedBy)}
	}
	if why := job(image, r); why != "" {
		return Judgement{Writable: true, Reason: why}
	}
	return Judgement{}
}

// Windows says why a container is a Windows container (its image,
// platform, isolation or a Windows mount), or "".
func Windows(image string, r Role) string {
	r.WindowsSibling = ""
	return windows(image, r)
}

// windows says why a container is a Windows container, or "".
func windows(image string, r Role) string {
	if ref := ParseImageRef(image); ref.Name != "" {
		for _, p := range windowsImages {
			if matchPattern(p, ref) > 0 {
				return "image " + image
			}
		}
	}
	if strings.HasPrefix(strings.ToLower(r.Platform), "windows") {
		return "platform " + r.Platform
	}
	if iso := strings.ToLower(r.Isolation); iso != "" && iso != "default" && !strings.Contains(iso, "$") {
		return "isolation " + r.Isolation
	}
	for _, b := range r.Binds {
		switch {
		case isPipe(b.Source) || isPipe(b.Target):
			return "a named pipe " + b.Source + " is mounted"
		case isDrive(b.Target):
			return "a mount on " + b.Target
		}
	}
	for _, p := range r.Paths {
		if isPipe(p) || driveInside(p) {
			return "a Windows path in " + p
		}
	}
	if cmds := simpleCommands(r.Command); len(cmds) > 0 {
		prog := strings.ToLower(cmds[0][0])
		if contains(windowsPrograms, prog) {
			return "its command is " + cmds[0][0]
		}
		for _, ext := range windowsScripts {
			if strings.HasSuffix(prog, ext) {
				return "its command is " + cmds[0][0]
			}
		}
	}
	return r.WindowsSibling
}

// isPipe reports whether p is a Windows named pipe (\\.\pipe\x, //./pipe/x).
func isPipe(p string) bool {
	p = strings.ToLower(strings.ReplaceAll(p, `\`, "/"))
	return strings.HasPrefix(p, "//./pipe/")
}

// driveInside reports whether a spec holds a Windows drive path after a
// colon: a target ("C:${PWD}/spec:C:/spec") or a container path
// ("name:C:/go/bin"), not a host source alone.
func driveInside(spec string) bool {
	for i := 0; i < len(spec); i++ {
		if i > 0 && spec[i-1] == ':' && isDrive(spec[i:]) {
			return true
		}
	}
	return false
}

// isDrive reports whether p is a path on a Windows drive (C:\, c:/).
func isDrive(p string) bool {
	return len(p) >= 3 && isLetter(p[0]) && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
}

// job says why a container is a job that keeps a writable root, or "".
func job(image string, r Role) string {
	cmds := simpleCommands(r.Command)
	for _, c := range cmds {
		if t, ok := matchTool(jobTools, c, false); ok {
			return fmt.Sprintf("a job (%s), not a service: it writes %s, which rofix does not provide; rofix does not make it read-only", strings.Join(trimArgs(c), " "), t.Writes)
		}
	}
	if r.Interactive {
		if len(cmds) > 0 && len(cmds[0]) > 0 && contains(shells, path.Base(cmds[0][0])) {
			return fmt.Sprintf("an interactive shell (-it %s), not a service: what is typed there may write anywhere; rofix does not make it read-only", cmds[0][0])
		}
		if len(r.Command) == 0 {
			if ref := ParseImageRef(image); ref.Name != "" {
				for _, p := range shellImages {
					if matchPattern(p, ref) > 0 {
						return fmt.Sprintf("an interactive shell (-it, %s's default command), not a service: what is typed there may write anywhere; rofix does not make it read-only", image)
					}
				}
			}
		}
	}
	if wd := r.WorkDir; wd != "" && !strings.Contains(wd, "$") {
		for _, b := range r.Binds {
			if b.Target != "" && !strings.Contains(b.Target, "$") && within(CanonicalPath(wd), CanonicalPath(b.Target)) && b.Target != "/" {
				return fmt.Sprintf("a job, not a service: the host directory %s is mounted as its working directory %s, where builds run and write caches and homes outside it; rofix does not make it read-only", b.Source, wd)
			}
		}
	}
	return ""
}
