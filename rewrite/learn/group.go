package learn

import (
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/rofix/rofix/rewrite/policy"
)

// A Decl is one directory to declare: a tmpfs, or a volume for state.
type Decl struct {
	// Path is the directory in the container (canonical: /run, never
	// /var/run).
	Path string
	// Volume is true for state: the path needs a volume, never a tmpfs.
	Volume bool
	// ImageVolume is true when the image declares the path a VOLUME: an
	// anonymous volume keeps it writable under a read-only root even with
	// nothing mounted there.
	ImageVolume bool
	// Why says how the path was chosen, for the printout.
	Why string
	// Evidence lists the writes that led to the path (none for a declared
	// data location).
	Evidence []Change
	// Options are the tmpfs options the path needs ("uid=103,gid=105"),
	// set by Own.
	Options string
	// Existing is true when the directory is the image's own (files were
	// written into it), false when the container created it.
	Existing bool
	// Shipped names entries the image ships in the directory (set by
	// MarkShipped): a tmpfs there would hide them, so the path is never a
	// tmpfs.
	Shipped []string
}

// An Ignored change is one learn dropped, with the reason.
type Ignored struct {
	Change Change
	Why    string
}

// A Proposal is what one container needs, from its changes.
type Proposal struct {
	Container Container
	Decls     []Decl // sorted by path; tmpfs and volumes
	Ignored   []Ignored
}

// Info is the type, owner and mode of a path in a container.
type Info struct {
	Dir      bool
	UID, GID int
	Mode     fs.FileMode // permission bits plus setuid, setgid and sticky
	// User and Group are the owner's names, when the archive has them.
	User, Group string
}

// StatFunc reads a path's Info in the container.
type StatFunc func(path string) (Info, error)

// engineFiles are the paths the engine writes into every container: never
// the app's.
var engineFiles = map[string]bool{
	"/etc/hosts":         true,
	"/etc/hostname":      true,
	"/etc/resolv.conf":   true,
	"/run/.containerenv": true,
}

// statePaths are data directories: a write below one of them is state.
var statePaths = []string{
	"/var/lib/mysql", "/var/lib/mariadb", "/var/lib/postgresql", "/var/lib/pgsql",
	"/var/lib/redis", "/var/lib/mongodb", "/var/lib/couchdb", "/var/lib/cassandra",
	"/var/lib/elasticsearch", "/var/lib/influxdb", "/var/lib/rabbitmq", "/var/lib/etcd",
	"/var/lib/clickhouse", "/var/lib/neo4j", "/data/db",
}

// IsStatePath reports whether p lies in a data directory (a database's):
// a path that needs a volume, never a tmpfs.
func IsStatePath(p string) bool {
	return slices.ContainsFunc(statePaths, func(s string) bool { return under(p, s) }) || stateFile(path.Base(p))
}

// stateFile reports whether a file name looks like database state.
func stateFile(name string) bool {
	for _, suf := range []string{".db", ".sqlite", ".sqlite3", ".rdb", ".aof", ".ibd", ".frm", ".mdb", ".wal"} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	for _, pre := range []string{"ibdata", "ib_logfile", "PG_VERSION", "pg_wal", "aria_log"} {
		if strings.HasPrefix(name, pre) {
			return true
		}
	}
	return false
}

// IsImageCode reports whether p lies where the image keeps its programs
// and libraries: never a tmpfs.
func IsImageCode(p string) bool { return imageCode(p) }

// imageCode reports whether p lies where the image keeps its programs and
// libraries.
func imageCode(p string) bool {
	for _, d := range []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot"} {
		if under(p, d) {
			return true
		}
	}
	return false
}

// Canonical is policy.CanonicalPath: /run, never /var/run (a tmpfs on that
// symlink fails).
func Canonical(p string) string { return policy.CanonicalPath(p) }

// under reports whether p is dir or lies below it.
func under(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// Propose groups a container's changes into the directories to declare.
// Writes under a mount and the engine's own files are dropped; a directory
// created at run time is declared whole; the files written into an
// existing directory are grouped by that directory; a path under a data
// location or that looks like state becomes a volume. stat tells whether a
// created path without listed contents is a directory (nil: assume a file).
func Propose(c Container, changes []Change, stat StatFunc) Proposal {
	pr := Proposal{Container: c}
	// Canonical paths; which are directories (they hold other changes);
	// which were added.
	cs := make([]Change, 0, len(changes))
	for _, ch := range changes {
		cs = append(cs, Change{Kind: ch.Kind, Path: Canonical(ch.Path)})
	}
	added := map[string]bool{}
	parents := map[string]bool{}
	for _, ch := range cs {
		if ch.Kind == 'A' {
			added[ch.Path] = true
		}
		for d := path.Dir(ch.Path); d != "/"; d = path.Dir(d) {
			parents[d] = true
		}
	}
	isDir := func(p string) bool {
		if parents[p] {
			return true
		}
		if stat == nil {
			return false
		}
		info, err := stat(p)
		return err == nil && info.Dir
	}

	// group collects the writes into one existing directory.
	type group struct {
		created  map[string]bool // the topmost added paths in it
		changed  bool            // an existing entry in it changed
		evidence []Change
	}
	groups := map[string]*group{}
	var keep []Change
	for _, ch := range cs {
		if why := dropped(c, ch, parents); why != "" {
			if why != "-" {
				pr.Ignored = append(pr.Ignored, Ignored{ch, why})
			}
			continue
		}
		keep = append(keep, ch)
	}
	for _, ch := range keep {
		top := ch.Path
		if ch.Kind == 'A' {
			for added[path.Dir(top)] {
				top = path.Dir(top)
			}
		}
		dir := path.Dir(top)
		if ch.Kind != 'A' && isDir(ch.Path) {
			// A directory whose entries came and went (a changed
			// directory with no change listed under it).
			dir = ch.Path
		}
		g := groups[dir]
		if g == nil {
			g = &group{created: map[string]bool{}}
			groups[dir] = g
		}
		if ch.Kind == 'A' {
			g.created[top] = true
		} else {
			g.changed = true
		}
		g.evidence = append(g.evidence, ch)
	}

	// One declaration per group: the created directory when it is the only
	// thing written there, else the existing directory.
	decls := map[string]*Decl{}
	for dir, g := range groups {
		p, why := dir, "files written in an image directory"
		if !g.changed && len(g.created) == 1 {
			for top := range g.created {
				if isDir(top) {
					p, why = top, "directory created at run time"
				}
			}
		}
		if p == "/" {
			for _, ev := range g.evidence {
				pr.Ignored = append(pr.Ignored, Ignored{ev, "written in / itself: nothing can be declared (the image must change)"})
			}
			continue
		}
		decls[p] = &Decl{Path: p, Why: why, Evidence: g.evidence, Existing: p == dir}
	}
	// A declaration under another one is covered by it.
	var paths []string
	for p := range decls {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for i, p := range paths {
		for _, q := range paths[:i] {
			if decls[q] != nil && under(p, q) {
				decls[q].Evidence = append(decls[q].Evidence, decls[p].Evidence...)
				delete(decls, p)
				break
			}
		}
	}
	for _, p := range paths {
		d := decls[p]
		if d == nil {
			continue
		}
		sort.Slice(d.Evidence, func(i, j int) bool { return d.Evidence[i].Path < d.Evidence[j].Path })
		if why := looksLikeState(d); why != "" {
			d.Volume, d.Why = true, why
		}
		pr.Decls = append(pr.Decls, *d)
	}

	// The container's data locations are state.
	for _, m := range c.Mounts {
		if m.Type == "volume" {
			pr.addVolume(Canonical(m.Destination), "volume mounted there")
		}
	}
	for _, v := range c.Volumes {
		pr.addVolume(Canonical(v), "declared volume")
	}
	for _, v := range c.ImageVolumes {
		pr.addVolume(Canonical(v), "image VOLUME")
		d := &pr.Decls[pr.find(Canonical(v))]
		d.ImageVolume, d.Why = true, "the image declares it a VOLUME: recorded under image_volumes too"
	}
	sort.Slice(pr.Decls, func(i, j int) bool { return pr.Decls[i].Path < pr.Decls[j].Path })
	return pr
}

// find returns the index of the declaration of p, or -1.
func (pr *Proposal) find(p string) int {
	for i := range pr.Decls {
		if pr.Decls[i].Path == p {
			return i
		}
	}
	return -1
}

// addVolume adds a data location unless it is already declared.
func (pr *Proposal) addVolume(p, why string) {
	for i := range pr.Decls {
		if pr.Decls[i].Path == p {
			pr.Decls[i].Volume = true
			return
		}
	}
	pr.Decls = append(pr.Decls, Decl{Path: p, Volume: true, Why: why})
}

// dropped says why a change is not the app's to declare: "" when it is,
// "-" to drop it silently (a directory whose contents are listed).
func dropped(c Container, ch Change, parents map[string]bool) string {
	switch {
	case engineFiles[ch.Path]:
		return "written by the engine"
	case under(ch.Path, "/run/secrets"):
		return "the engine's secrets mount"
	case imageCode(ch.Path):
		return "changes the image's programs or libraries: a tmpfs there would hide them (not declared)"
	case ch.Kind == 'C' && ch.Path == "/etc":
		// podman lists the directory of the files it bind-mounts
		// (hosts, hostname, resolv.conf) without them.
		return "written by the engine"
	}
	for _, m := range c.Mounts {
		if under(ch.Path, Canonical(m.Destination)) {
			return "under a mount (" + m.Destination + ")"
		}
	}
	for _, v := range c.Volumes {
		if under(ch.Path, Canonical(v)) {
			return "under a declared volume (" + v + ")"
		}
	}
	if ch.Kind != 'A' && parents[ch.Path] {
		return "-"
	}
	return ""
}

// looksLikeState says why a declaration is state ("" when it is not): it
// lies in a data directory, or a write there does, or a written file looks
// like a database's.
func looksLikeState(d *Decl) string {
	for _, s := range statePaths {
		if under(d.Path, s) {
			return "looks like state (" + s + ")"
		}
		for _, ev := range d.Evidence {
			if under(ev.Path, s) {
				return "looks like state (" + s + ")"
			}
		}
	}
	for _, ev := range d.Evidence {
		if stateFile(path.Base(ev.Path)) {
			return "looks like state (" + path.Base(ev.Path) + ")"
		}
	}
	return ""
}

// podmanMounts are the paths podman mounts a tmpfs on for every read-only
// container, with the image's files and their owners copied in.
var podmanMounts = []string{"/run", "/tmp", "/var/tmp"}

// ForPodman adapts a proposal to podman: podman mounts its own tmpfs on
// /run, /tmp and /var/tmp for a read-only container, with the image's
// files copied in (PostgreSQL's /run/postgresql keeps its owner there),
// while a tmpfs of the user's own on a directory below them is empty and
// root's; and podman 4.3 refuses the uid= and gid= options ("unknown mount
// option"). So paths under those three are not declared, and no owner
// options are recorded.
func ForPodman(pr *Proposal) {
	var keep []Decl
	for _, d := range pr.Decls {
		d.Options = ""
		if d.Volume || !slices.ContainsFunc(podmanMounts, func(m string) bool { return under(d.Path, m) }) {
			keep = append(keep, d)
			continue
		}
		for _, ev := range d.Evidence {
			pr.Ignored = append(pr.Ignored, Ignored{ev, "podman mounts a tmpfs on /run, /tmp and /var/tmp itself for a read-only container, with the image's files copied in"})
		}
	}
	pr.Decls = keep
}
