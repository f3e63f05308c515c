package policy

// This file declares what rofix knows about images: the schema of the
// built-in table (images/*.yaml, compiled in as images_table.go) and of the image
// entries of a .rofix.yaml config file, and what an engine asks of it
// (Needs).

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

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
	// (registry docker.io, library/, tag and digest removed; see
	// ParseImageRef): a name ("nginx", "ghcr.io/org/app"), "*" for any text
	// ("bitnami/*"), and after ":" a tag pattern ("php:*apache*") or its
	// negation ("gitea/gitea:!*rootless").
	Match []string `yaml:"match"`
	// Tmpfs lists the paths that need a tmpfs, "PATH[:OPTIONS]" as in
	// compose's short syntax and --tmpfs (exec, uid=, gid=, mode=, size=).
	// In a pattern entry ("bitnami/*"), {name} stands for the last part of
	// the image's name ("bitnami/redis": redis); so in Volumes and NoTmpfs.
	Tmpfs []string `yaml:"tmpfs,omitempty"`
	// Volumes lists the state paths: they need a volume, never a tmpfs.
	// The app writes them at start: with nothing mounted at or above one,
	// and no VOLUME of the image there, it dies on a read-only root, so
	// rofix does not add read-only (unless the path is in OptionalVolumes).
	Volumes []string `yaml:"volumes,omitempty"`
	// ImageVolumes lists the paths the image itself declares as VOLUME:
	// with nothing mounted there they get an anonymous volume, writable
	// but lost when the container is re-created (reported, not fatal).
	ImageVolumes []string `yaml:"image_volumes,omitempty"`
	// OptionalVolumes lists the state paths of Volumes the app writes only
	// in some configurations (a storage backend, an audit log): without a
	// mount they are reported, and read-only is still added.
	OptionalVolumes []string `yaml:"optional_volumes,omitempty"`
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
	// User is the image's USER (a name or uid[:gid]), when it sets one.
	User string `yaml:"user,omitempty" json:",omitempty"`
	// Caps are the capabilities the container needs back after dropping
	// ALL when it runs as the image's default user (root, whose
	// entrypoint drops privileges itself): canonical names (CapName),
	// sorted. Empty but not nil means it needs none; nil, unknown.
	Caps []string `yaml:"caps,omitempty" json:",omitempty"`
	// RunAs is a non-root user, numeric "UID:GID", the image runs
	// correctly as when started as it: its entrypoint skips its own
	// privilege drop when not root, and the paths it writes are that
	// user's or tmpfs (which then get uid= and gid=).
	RunAs string `yaml:"run_as,omitempty" json:",omitempty"`
	// NeedsRoot, when set, says why the image must start as root.
	NeedsRoot string `yaml:"needs_root,omitempty" json:",omitempty"`
	// Checks are the conditions of a cond verdict that rofix checks
	// against the container (see Check): all met, read-only is added;
	// one not met, it is withheld, naming that check.
	Checks []Check `yaml:"checks,omitempty" json:",omitempty"`
	// From names the image this one is built FROM ("php:*-apache"): it is
	// looked up like an image, and its entries' facts are inherited, less
	// those named in Unset; the entry's own verdict, when set, wins.
	From string `yaml:"from,omitempty" json:",omitempty"`
	// Unset lists inherited facts that do not hold for this image, by
	// FactKey ("tmpfs /run").
	Unset []string `yaml:"unset,omitempty" json:",omitempty"`
	// Latest is the version the floating tags ("latest", "", a variant
	// alone such as "alpine") stand for, as read on the date Read
	// (YYYY-MM-DD); Floating maps other floating tags ("lts") to theirs.
	Latest   string            `yaml:"latest,omitempty" json:",omitempty"`
	Read     string            `yaml:"read,omitempty" json:",omitempty"`
	Floating map[string]string `yaml:"floating,omitempty" json:",omitempty"`
	// TagVersion is a regular expression whose first group finds the
	// version in a tag, when the leading number is not it ("pg(\\d+)").
	TagVersion string `yaml:"tag_version,omitempty" json:",omitempty"`
	// Ranges hold the facts of tag ranges: each is an entry holding
	// Versions (">=18", "<8", ">=1.2 <2") and facts only, added to the
	// entry's own for the tags in that range (a verdict or user set
	// there replaces the entry's).
	Ranges   []*ImageEntry `yaml:"ranges,omitempty" json:",omitempty"`
	Versions string        `yaml:"versions,omitempty" json:",omitempty"`
	// Evidence maps a fact (FactKey) to the lines that prove it, each
	// "OWNER/REPO@COMMIT PATH#LINE \"QUOTE\"" (see ParseEvidence). The
	// built-in entries get theirs only from AttachEvidence: no run needs it.
	Evidence map[string][]string `yaml:"-" json:"-"`
	// builtin marks a copy of a built-in entry (see AttachEvidence).
	builtin bool
	// Inherited names, in a resolved entry (Needs.Entries), the entry that
	// inherited it from its base (see From); empty in the table.
	Inherited string `yaml:"-" json:"-"`
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
	// Required: without the setting the container dies on a read-only root
	// (vault's entrypoint runs setcap), so rofix adds read-only only when
	// the file sets it; otherwise the setting is advice, reported.
	Required bool `yaml:"required,omitempty"`
	// AnyValue: any non-empty value will do (the entrypoint tests
	// [ -z "$NAME" ]); Value is then only the one suggested.
	AnyValue bool `yaml:"any_value,omitempty"`
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
	// Volumes are state paths: reported when nothing is mounted there,
	// and fatal to read-only when also not in ImageVolumes or
	// OptionalVolumes (see ImageEntry).
	Volumes []string
	// ImageVolumes are the paths the image declares as VOLUME.
	ImageVolumes []string
	// OptionalVolumes are the state paths no matched entry requires.
	OptionalVolumes []string
	// NoTmpfs are paths that must never get a tmpfs.
	NoTmpfs []string
	// Env are settings to report when the container lacks them.
	Env []EnvSetting
	// Resolved says, for each entry that knows versions or a base image
	// (matched, or inherited: then for the base image's tag), the version
	// its tag stands for, the tag ranges that applied and the base
	// entries inherited.
	Resolved []Resolution
	// User is the image's USER as the table states it ("" when unknown):
	// the user a container runs as when the file sets none.
	User string
	// Caps are the capabilities the container needs back after dropping
	// ALL (canonical, sorted); CapsKnown says whether they are known (an
	// empty Caps then means none).
	Caps      []string
	CapsKnown bool
	// RunAs is a non-root "UID:GID" the image runs correctly as, and
	// NeedsRoot why it must start as root ("" for either when unknown;
	// never both).
	RunAs     string
	NeedsRoot string
	// CapsFrom and RunAsFrom name the entry that states Caps, and RunAs
	// or NeedsRoot, with its first source ("postgres (docker-library/...)"),
	// for the reports.
	CapsFrom, RunAsFrom string
	// Checks are the checks of the entries whose verdict is cond: Apply
	// adds read-only only when all are met.
	Checks []Check
	// Verdict is the strictest verdict of the entries (Works if none).
	Verdict Verdict
	// Notes are further things a reader must know: the conditions of each
	// entry whose verdict is not Works (e.g. Kafka's data in /tmp).
	Notes []string
}

// Known reports whether any entry matched.
func (n *Needs) Known() bool { return len(n.Entries) > 0 }

// Knowledge is a table of image entries: the built-in table, extended or
// overridden by a config file's entries (which come first). Lookup
// remembers its answer per image (safe for concurrent use), so Entries
// must not change after the first Lookup; a Knowledge must not be copied.
type Knowledge struct {
	Entries []*ImageEntry
	memo    sync.Map // image reference as written -> Needs
}

// Builtin returns the built-in table, images/*.yaml, which
// images_table.go holds as a Go literal (TestBuiltinGo proves it is made
// from images/*.yaml, entry by entry, and "-update" remakes it): nothing is
// decoded at run time, where decoding it as JSON cost 3-8 ms of every
// process. Each call builds a fresh table the caller may change.
func Builtin() *Knowledge {
	entries := builtinEntries()
	for _, e := range entries {
		e.builtin = true
	}
	return &Knowledge{Entries: entries}
}

// evidenceJSON is the evidence of the built-in table's facts, kept apart
// from the table: only "rofix images" shows it, so no run decodes it.
// It maps an entry's name to its evidence maps (ImageEntry.Evidence) by
// tag range ("" for the entry's own facts, else the range's Versions).
//
//go:embed evidence.json
var evidenceJSON []byte

// builtinEvidence decodes evidence.json once per process, on first use.
var builtinEvidence = sync.OnceValue(func() map[string]map[string]map[string][]string {
	var ev map[string]map[string]map[string][]string
	if err := json.Unmarshal(evidenceJSON, &ev); err != nil {
		panic("policy: the built-in evidence.json is invalid: " + err.Error()) // proven valid by TestBuiltinJSON
	}
	return ev
})

// AttachEvidence gives the built-in entries of k (those Builtin made,
// whatever k added) the evidence of their facts. Call it before the first
// Lookup: Lookup remembers its answers.
func (k *Knowledge) AttachEvidence() { k.attachEvidence(builtinEvidence()) }

// attachEvidence is AttachEvidence with the evidence by entry name and
// tag range.
func (k *Knowledge) attachEvidence(all map[string]map[string]map[string][]string) {
	for _, e := range k.Entries {
		if !e.builtin {
			continue
		}
		byRange := all[e.Name]
		e.Evidence = byRange[""]
		for _, r := range e.Ranges {
			r.Evidence = byRange[r.Versions]
		}
	}
}

// clone returns a deep copy of e.
func (e *ImageEntry) clone() *ImageEntry {
	c := *e
	for _, l := range []*[]string{&c.Match, &c.Tmpfs, &c.Volumes, &c.ImageVolumes, &c.OptionalVolumes, &c.NoTmpfs, &c.Traits, &c.Sources} {
		*l = slices.Clone(*l)
	}
	c.Caps = slices.Clone(c.Caps)
	c.Env = slices.Clone(c.Env)
	c.Unset = slices.Clone(c.Unset)
	c.Checks = slices.Clone(c.Checks)
	c.Floating = maps.Clone(c.Floating)
	c.Evidence = maps.Clone(c.Evidence)
	c.Ranges = slices.Clone(c.Ranges)
	for i, r := range c.Ranges {
		c.Ranges[i] = r.clone()
	}
	return &c
}

// With returns a table holding extra's entries, then k's: an entry of k
// that has the name of an extra entry or one of its patterns is replaced
// (a config entry for "postgres" overrides the built-in one); the other
// entries of k stay and add to what extra says.
func (k *Knowledge) With(extra []*ImageEntry) *Knowledge {
	replaced := map[string]bool{}
	for _, e := range extra {
		replaced["name "+strings.ToLower(e.Name)] = true
		for _, p := range e.Match {
			replaced["match "+strings.ToLower(p)] = true
		}
	}
	out := &Knowledge{Entries: append([]*ImageEntry(nil), extra...)}
	for _, e := range k.Entries {
		drop := replaced["name "+strings.ToLower(e.Name)]
		for _, p := range e.Match {
			drop = drop || replaced["match "+strings.ToLower(p)]
		}
		if !drop {
			out.Entries = append(out.Entries, e)
		}
	}
	return out
}

// Check reports the first structural error of an entry: no name, no
// pattern, an unknown verdict, trait or confidence, a relative path, or a
// path that is both a tmpfs and a state or no-tmpfs path.
func (e *ImageEntry) Check() error {
	switch {
	case e.Name == "":
		return fmt.Errorf("an entry has no name")
	case len(e.Match) == 0:
		return fmt.Errorf("%s: no match pattern", e.Name)
	case verdictRank[e.Verdict] == 0 && (e.Verdict != "" || e.From == ""):
		return fmt.Errorf("%s: verdict %q: want yes, cond or no", e.Name, e.Verdict)
	case e.From != "" && (strings.ContainsAny(e.From, " @$") || strings.Contains(e.From, "{") && !strings.HasSuffix(e.From, ":{version}")):
		return fmt.Errorf("%s: from %q: want an image (php:8-apache, php:*-apache, postgres:{version})", e.Name, e.From)
	case e.Confidence != "" && !slices.Contains(confidences, e.Confidence):
		return fmt.Errorf("%s: confidence %q: want one of %s", e.Name, e.Confidence, strings.Join(confidences, ", "))
	}
	for _, p := range e.Match {
		if p == "" || strings.ContainsAny(p, " @$") {
			return fmt.Errorf("%s: invalid match pattern %q", e.Name, p)
		}
	}
	if e.Latest != "" {
		if _, ok := parseVersion(e.Latest); !ok {
			return fmt.Errorf("%s: latest %q is not a version", e.Name, e.Latest)
		}
		if !validDate(e.Read) {
			return fmt.Errorf("%s: latest %s wants read: YYYY-MM-DD, the day it was read", e.Name, e.Latest)
		}
	}
	if len(e.Ranges) > 0 && e.Latest == "" {
		return fmt.Errorf("%s: tag ranges want latest: the version floating tags stand for", e.Name)
	}
	if e.TagVersion != "" {
		if re, err := regexp.Compile(e.TagVersion); err != nil || re.NumSubexp() < 1 {
			return fmt.Errorf("%s: tag_version %q: want a regular expression with one group", e.Name, e.TagVersion)
		}
	}
	if err := e.checkFacts(e.Name); err != nil {
		return err
	}
	for _, r := range e.Ranges {
		if _, err := inRange(version{0}, r.Versions); err != nil {
			return fmt.Errorf("%s: %w", e.Name, err)
		}
		if r.Verdict != "" && verdictRank[r.Verdict] == 0 {
			return fmt.Errorf("%s %s: verdict %q: want yes, cond or no", e.Name, r.Versions, r.Verdict)
		}
		if err := r.checkFacts(e.Name + " " + r.Versions); err != nil {
			return err
		}
	}
	return nil
}

// checkFacts reports the first error of the facts of an entry or range
// (named name): an unknown trait, a relative path, a path that is both a
// tmpfs and a state or no-tmpfs path, a malformed check.
func (e *ImageEntry) checkFacts(name string) error {
	for _, t := range e.Traits {
		if traitTmpfs[t] == "" {
			return fmt.Errorf("%s: unknown trait %q: want s6 or jvm", name, t)
		}
	}
	var all []string
	for _, t := range e.Tmpfs {
		all = append(all, TmpfsTarget(t))
	}
	all = append(append(append(append(all, e.Volumes...), e.NoTmpfs...), e.ImageVolumes...), e.OptionalVolumes...)
	for _, p := range all {
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("%s: path %q is not absolute", name, p)
		}
	}
	for _, v := range e.OptionalVolumes {
		if !slices.Contains(e.Volumes, v) {
			return fmt.Errorf("%s: optional volume %s is not among its volumes", name, v)
		}
	}
	for _, t := range e.Tmpfs {
		if kept := keepTmpfs(CanonicalPath(TmpfsTarget(t)), canonicalAll(e.Volumes), canonicalAll(e.NoTmpfs)); !kept {
			return fmt.Errorf("%s: tmpfs %s is also a state or no-tmpfs path", name, t)
		}
	}
	for _, c := range e.Checks {
		if err := c.validate(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return e.checkPrivileges(name)
}

// validDate reports whether s is a date YYYY-MM-DD.
func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// confidences are the values of ImageEntry.Confidence, strongest first.
var confidences = []string{"verified", "documented", "reported", "guessed", "learned"}

// verdictRank orders verdicts by strictness (0: not a verdict).
var verdictRank = map[Verdict]int{Works: 1, WorksWithConditions: 2, DoesNotWork: 3}
