package policy

// This file declares what rofix knows about images: the schema of the
// built-in table (images.yaml, embedded) and of the image entries of a
// .rofix.yaml config file, and what an engine asks of it (Needs).

// Verdict says whether an image runs with a read-only root.
type Verdict string

// The verdicts of the table.
const (
	// Works: the image runs read-only with the entry's tmpfs paths.
	Works Verdict = "yes"
	// WorksWithConditions: it runs read-only only with the entry's
	// conditions met (environment, mounts); rofix applies what it can and
	// reports the rest.
	WorksWithConditions Verdict = "cond"
	// DoesNotWork: it does not run read-only without rebuilding the image;
	// rofix does not add read-only (no-new-privileges and :ro still apply).
	DoesNotWork Verdict = "no"
)

// An ImageEntry is one row of image knowledge, in the schema shared by the
// built-in table and the config file.
type ImageEntry struct {
	// Name labels the entry in reports and in "rofix images".
	Name string `yaml:"name"`
	// Match lists image patterns compared with a normalised reference
	// (registry docker.io, library/, tag and digest removed); see
	// NormalizeImage.
	Match []string `yaml:"match"`
	// Tmpfs lists the paths that need a tmpfs, "PATH[:OPTIONS]" as in
	// compose's short syntax and --tmpfs (exec, uid=, gid=, mode=, size=).
	Tmpfs []string `yaml:"tmpfs,omitempty"`
	// Volumes lists the state paths: they need a volume, never a tmpfs.
	Volumes []string `yaml:"volumes,omitempty"`
	// NoTmpfs lists paths that must never get a tmpfs: the image ships
	// files there that a tmpfs would hide.
	NoTmpfs []string `yaml:"no_tmpfs,omitempty"`
	// Env lists environment settings that matter read-only.
	Env []EnvSetting `yaml:"env,omitempty"`
	// Verdict says whether the image runs read-only.
	Verdict Verdict `yaml:"verdict"`
	// Conditions says, in words, what a reader must know (why cond or no).
	Conditions string `yaml:"conditions,omitempty"`
	// Traits name generic rules that apply: "s6" (s6-overlay: /run:exec),
	// "jvm" (/tmp:exec).
	Traits []string `yaml:"traits,omitempty"`
	// Confidence is verified, documented, reported, guessed or learned.
	Confidence string `yaml:"confidence"`
	// Sources say where the knowledge comes from.
	Sources []string `yaml:"sources"`
}

// An EnvSetting is an environment variable that matters when the image
// runs read-only, with the value it needs and why.
type EnvSetting struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
	Why   string `yaml:"why"`
}

// Needs is what one container (a compose service or a run command) needs
// to run read-only, as the engines apply it.
type Needs struct {
	// Image is the reference as written (may be empty).
	Image string
	// Entries are the matched entries, most specific first; empty for an
	// unknown image.
	Entries []*ImageEntry
	// Tmpfs lists "PATH[:OPTIONS]" entries, canonical paths (/run, never
	// /var/run), /tmp included unless it is a state path.
	Tmpfs []string
	// Volumes are state paths: reported when nothing is mounted there.
	Volumes []string
	// NoTmpfs are paths that must never get a tmpfs.
	NoTmpfs []string
	// Env are settings to report when the container lacks them.
	Env []EnvSetting
	// Verdict is the strictest verdict of the entries (Works if none).
	Verdict Verdict
	// Notes are further things a reader must know (e.g. Kafka's data in /tmp).
	Notes []string
}

// Known reports whether any entry matched.
func (n *Needs) Known() bool { return len(n.Entries) > 0 }

// Knowledge is a table of image entries: the built-in table, extended or
// overridden by a config file's entries.
type Knowledge struct {
	Entries []*ImageEntry
}

// Lookup returns what a container of image needs. (Stub: the matching and
// the built-in table are being written; it returns the /tmp default.)
func (k *Knowledge) Lookup(image string) Needs {
	return Needs{Image: image, Tmpfs: []string{"/tmp"}, Verdict: Works}
}

// Builtin returns the built-in table. (Stub: empty until images.yaml lands.)
func Builtin() *Knowledge { return &Knowledge{} }

// With returns a table holding k's entries extended by extra: an extra
// entry whose patterns match an image wins over a built-in one.
// (Stub: appends.)
func (k *Knowledge) With(extra []*ImageEntry) *Knowledge {
	return &Knowledge{Entries: append(append([]*ImageEntry(nil), extra...), k.Entries...)}
}
