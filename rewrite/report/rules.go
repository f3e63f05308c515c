package report

import (
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
)

// A RuleDoc explains a rule id to someone who has never heard of rofix: the
// SARIF rule descriptors and the markdown's explanations come from it.
type RuleDoc struct {
	ID    finding.Rule
	Title string // a short noun phrase: "Read-only root filesystem"
	Short string // one sentence: what rofix does or reports
	Full  string // what exactly, in a few sentences
	Why   string // why it matters
}

// docs are the words for the rule ids rofix knows; Why for the hardening
// rules comes from finding.Rules.
var docs = []RuleDoc{
	{ID: finding.ReadOnly, Title: "Read-only root filesystem",
		Full: "Sets read_only: true on a compose service, or adds --read-only to a docker, podman or nerdctl run command, so that nothing running in the container can change the image's files. It is only added together with a tmpfs for the paths the app writes. An explicit read_only: false or --read-only=false is kept and reported."},
	{ID: finding.Tmpfs, Title: "Writable scratch space (tmpfs)",
		Full: "Mounts an in-memory tmpfs on /tmp (at least) so that a container whose root filesystem is read-only can still write temporary files; its content disappears when the container stops. It is not added where something is already mounted on that path."},
	{ID: finding.NoNewPrivileges, Title: "No privilege escalation (no-new-privileges)",
		Full: "Adds no-new-privileges:true to a service's security_opt, or --security-opt no-new-privileges to a run command: processes in the container cannot gain privileges through setuid or setgid binaries or file capabilities. An explicit no-new-privileges:false is kept and reported."},
	{ID: finding.ROMounts, Title: "Read-only bind mounts",
		Full: "Marks bind mounts read-only (:ro, read_only: true, readonly) where the container clearly only reads them: configuration under /etc, the container engine's socket, a single configuration file. Binds left writable are reported, and so is an explicit :rw."},
	{ID: finding.CapDrop, Title: "Only the capabilities needed (opt-in)",
		Full: "Off unless switched on (rules: {cap-drop: true} in .rofix.yaml, or --enable cap-drop). Drops every Linux capability (cap_drop: [ALL], --cap-drop ALL, capabilities: {drop: [ALL]}, DropCapability=all) and adds back only those the image is known to need (its entrypoint's chown, its privilege drop with gosu or setpriv, a port below 1024); a container that runs as a non-root user under no-new-privileges gets none back. Capabilities the file already drops or adds are kept, a privileged container is left alone, and an image rofix does not know is reported: rofix try finds the set that keeps it running.",
		Why:  "A root process in a container holds the engine's default capabilities (changing the owner of any file, raw sockets, mknod); after an escape or a compromise they are the attacker's. Dropped blindly they stop containers (Redis as root can no longer read its own dump file), which is why rofix adds only what it knows."},
	{ID: finding.NonRoot, Title: "A non-root user (opt-in)",
		Full: "Off unless switched on (rules: {non-root: true}, or --enable non-root). Sets the user (user:, --user, runAsUser, User=) to the unprivileged UID:GID the image is known to run correctly as, and gives the tmpfs mounts rofix adds that owner. A user the file sets is kept (root is reported); an image whose own USER is not root needs nothing; an image that must start as root, or one rofix does not know, is reported with the reason.",
		Why:  "A process running as root in the container is root on every file and mount it reaches; many official images start as root only to drop privileges themselves, and can start as their own user directly."},
	{ID: finding.Directive, Title: "Ignore directive",
		Short: "A # rofix:ignore comment kept rofix away from a service, a command or the file.",
		Full:  "A # rofix:ignore comment (for a service or a command, optionally for some rules only) or # rofix:ignore-file (for the whole file) told rofix to leave something as it is. A directive naming an unknown rule skips every rule there.",
		Why:   "An explicit decision of the file's authors wins over rofix's defaults; it is reported so that reviewers see what stays unhardened, and why."},
	{ID: finding.Unsupported, Title: "Left for a person",
		Short: "rofix left this spot alone because editing it safely is not possible.",
		Full:  "For example a YAML anchor or alias shared by several services, an empty service, or a value rofix cannot turn into a list. The message says what to change by hand.",
		Why:   "rofix only makes edits it can verify; changing a shared value in one place would change every place that uses it."},
	{ID: finding.Syntax, Title: "Input rofix cannot read",
		Short: "rofix could not read this input, or cannot see all of a command's flags.",
		Full:  "Invalid YAML or shell, binary content, an unsupported encoding, or a run command whose flags are hidden in variables or arrays. A file that cannot be read is left untouched; a command with hidden flags is hardened but should be reviewed.",
		Why:   "rofix never edits what it cannot parse and verify, so a person has to look."},
}

// Rules returns the documentation of every rule id: the default hardening
// rules of finding.Rules in their order, then directive, unsupported and
// syntax, then the opt-in rules (last, so that the SARIF rule indexes of
// the others do not depend on them).
func Rules() []RuleDoc {
	var out []RuleDoc
	for _, r := range finding.Rules {
		if !r.OptIn {
			out = append(out, RuleFor(r.ID))
		}
	}
	for _, d := range docs {
		if !finding.IsRule(string(d.ID)) {
			out = append(out, RuleFor(d.ID))
		}
	}
	for _, r := range finding.Rules {
		if r.OptIn {
			out = append(out, RuleFor(r.ID))
		}
	}
	return out
}

// RuleFor returns the documentation of a rule id; an id without words of
// its own gets finding.Rules' summary, or its bare name.
func RuleFor(id finding.Rule) RuleDoc {
	d := RuleDoc{ID: id}
	for _, known := range docs {
		if known.ID == id {
			d = known
		}
	}
	for _, r := range finding.Rules {
		if r.ID == id {
			if d.Short == "" {
				d.Short = sentence(r.Summary)
			}
			if d.Why == "" {
				d.Why = sentence(r.Why)
			}
		}
	}
	if d.Title == "" {
		d.Title = string(id)
	}
	if d.Short == "" {
		d.Short = "rofix reports " + string(id) + "."
	}
	if d.Full == "" {
		d.Full = d.Short
	}
	if d.Why == "" {
		d.Why = d.Short
	}
	return d
}

// sentence capitalizes s and ends it with a period.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// A ruleBook answers questions about rule ids during one rendering without
// rebuilding their documentation each time.
type ruleBook struct {
	docs []RuleDoc
	byID map[finding.Rule]int
}

func newRuleBook() *ruleBook {
	rb := &ruleBook{docs: Rules(), byID: map[finding.Rule]int{}}
	for i, d := range rb.docs {
		rb.byID[d.ID] = i
	}
	return rb
}

// doc returns the documentation of id.
func (rb *ruleBook) doc(id finding.Rule) RuleDoc {
	if i, ok := rb.byID[id]; ok {
		return rb.docs[i]
	}
	return RuleFor(id)
}

// rank orders rule ids as Rules() does, unknown ids last.
func (rb *ruleBook) rank(id finding.Rule) int {
	if i, ok := rb.byID[id]; ok {
		return i
	}
	return len(rb.docs)
}
