package unit

import (
	"fmt"
	"strings"

	"github.com/rofix/rofix/rewrite/directive"
	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/encoding"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// PlanContainer hardens a Podman Quadlet .container unit: ReadOnly=true,
// NoNewPrivileges=true, a Tmpfs= for each scratch path podman does not
// already mount (with ReadOnlyTmpfs=false, /tmp too), and :ro on the
// Volume= binds the policy picks. ReadOnly=true and the Tmpfs= entries
// are policy.Apply's decision, as for compose. Explicit ReadOnly=false,
// NoNewPrivileges=false and :rw are kept and reported. With the opt-in
// rules on, DropCapability=all, AddCapability=, User= and Group= too (see
// quadlet_privileges.go). New keys go after the last setting of
// [Container], whichever rules a directive or the config skips.
func PlanContainer(src []byte, pol policy.Policy) (*finding.Plan, error) {
	if err := encoding.Check(src, false); err != nil {
		return nil, err
	}
	u := parseUnit(src)
	plan := &finding.Plan{}
	if u.ignoreFile {
		plan.Add(finding.Directive, u.ignoreAt, u.ignoreAt, false, "rofix:ignore-file: file skipped")
		return plan, nil
	}
	header, ok := u.sections["Container"]
	if !ok {
		plan.Add(finding.Unsupported, 0, 0, false, "no [Container] section: not a Quadlet container unit; left unchanged")
		return plan, nil
	}
	ig := sectionDirective(u, header)
	if ig.All || ig.File {
		plan.Add(finding.Directive, header, header, false, "[Container] skipped by rofix:ignore")
		return plan, nil
	}
	// Rules a config file switches off are skipped like a directive's.
	q := &quadlet{u: u, pol: pol, plan: plan, ig: ig.Merge(directive.Ignore{Rules: pol.Off}), at: header}
	q.harden()
	if len(q.edits) == 0 {
		return plan, nil
	}
	plan.Edits = q.edits
	want := q.expected()
	plan.Verify = func(out []byte) error {
		got := settings(parseUnit(out), "Container")
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			return fmt.Errorf("the [Container] settings after editing are %q, want %q", got, want)
		}
		return nil
	}
	return plan, nil
}

// sectionDirective reads a rofix:ignore comment on the line above the
// section header whose next line starts at next.
func sectionDirective(u *unitFile, next int) directive.Ignore {
	var ig directive.Ignore
	// The header line, then the line above it.
	hdr := lastLineStart(u.src, next)
	if d, ok := directive.FindInLine(string(u.src[hdr:next])); ok {
		ig = ig.Merge(d)
	}
	if hdr > 0 {
		above := lastLineStart(u.src, hdr)
		if t := strings.TrimSpace(string(u.src[above:hdr])); strings.HasPrefix(t, "#") {
			if d, ok := directive.Parse(t); ok {
				ig = ig.Merge(d)
			}
		}
	}
	return ig
}

// lastLineStart returns the start of the line that ends just before next.
func lastLineStart(src []byte, next int) int {
	i := next - 1
	if i >= 0 && src[i] == '\n' {
		i--
	}
	for i >= 0 && src[i] != '\n' {
		i--
	}
	return i + 1
}

// quadlet holds the state of planning one .container unit.
type quadlet struct {
	u     *unitFile
	pol   policy.Policy
	plan  *finding.Plan
	ig    directive.Ignore
	at    int
	edits []edit.Edit
	added []string // new "Key=Value" lines
	// changed maps an entry to its planned new value.
	changed map[*entry]string
	// mountEntries are the settings of the mounts policy notes refer to.
	mountEntries []*entry
}

func (q *quadlet) last(key string) *entry {
	es := q.u.in("Container", key)
	if len(es) == 0 {
		return nil
	}
	return es[len(es)-1]
}

func (q *quadlet) harden() {
	q.changed = map[*entry]string{}
	image := ""
	if e := q.last("Image"); e != nil {
		image = q.u.value(e)
	}
	var values []string
	for _, e := range q.u.in("Container", "PodmanArgs") {
		values = append(values, q.u.value(e))
	}
	pa := readPodmanArgs(values)
	if pa.unreadable != nil {
		// Mounts and settings rofix cannot see may be there: adding
		// ReadOnly= or Tmpfs= could break the unit; the rest still applies.
		e := q.last("PodmanArgs")
		q.plan.Add(finding.Unsupported, e.keyAt, e.lineEnd, false, "PodmanArgs=: %v; ReadOnly= and Tmpfs= not added", pa.unreadable)
		// Capabilities and a user may be there too: the opt-in rules
		// add nothing either.
		q.ig = q.ig.Merge(directive.Ignore{Rules: []finding.Rule{finding.ReadOnly, finding.Tmpfs, finding.CapDrop, finding.NonRoot}})
	}
	a := q.decide(image, pa)
	if a.Alone != "" {
		// Not a service rofix hardens: no edit at all, said once.
		if !q.ig.Skips(finding.ReadOnly) {
			q.plan.Add(finding.ReadOnly, q.at, q.at, false, "%s", a.Alone)
		}
		return
	}
	readOnly := false
	if !q.ig.Skips(finding.ReadOnly) {
		readOnly = q.readOnly(a, pa)
	} else if e := q.last("ReadOnly"); e != nil {
		readOnly = policy.NoNewPrivileges("no-new-privileges:"+q.u.value(e)) == policy.On
	}
	if readOnly {
		q.notes(a.ReadOnlyNotes)
		if !q.ig.Skips(finding.Tmpfs) {
			q.tmpfs(a)
		}
		q.notes(a.Notes)
	}
	if !q.ig.Skips(finding.NoNewPrivileges) {
		q.noNewPrivileges(pa)
	}
	q.privileges(a)
	if !q.ig.Skips(finding.ROMounts) {
		q.volumes()
	}
	q.flushAdded()
}

// boolOf reads a systemd boolean (1/yes/true/on, 0/no/false/off).
func boolOf(v string) policy.Tri {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "yes", "y", "true", "t", "on":
		return policy.On
	case "0", "no", "n", "false", "f", "off":
		return policy.Off
	}
	return policy.Dynamic
}

func (q *quadlet) add(key, value string) { q.added = append(q.added, key+"="+value) }

// readOnly plans ReadOnly=true unless policy.Apply withholds it (then it
// reports why), and reports whether the container is or becomes read-only.
func (q *quadlet) readOnly(a policy.Applied, pa podmanArgs) bool {
	e := q.last("ReadOnly")
	switch pa.readOnly {
	case policy.On:
		return true // PodmanArgs= come after ReadOnly= on podman's command line
	case policy.Off, policy.Dynamic:
		pe := q.last("PodmanArgs")
		q.plan.Add(finding.ReadOnly, pe.keyAt, pe.lineEnd, false, "--read-only in PodmanArgs= is an explicit choice; kept, so no Tmpfs= is added")
		return false
	}
	if e == nil {
		if !a.ReadOnly {
			// The image does not run read-only: say why, add nothing.
			q.notes(a.ReadOnlyNotes)
			return false
		}
		q.add("ReadOnly", "true")
		q.plan.Add(finding.ReadOnly, q.at, q.at, true, "ReadOnly=true added")
		return true
	}
	switch boolOf(q.u.value(e)) {
	case policy.On:
		return true
	case policy.Off:
		q.plan.Add(finding.ReadOnly, e.keyAt, e.lineEnd, false, "ReadOnly=%s is an explicit choice; kept, so no Tmpfs= is added", q.u.value(e))
	default:
		q.plan.Add(finding.ReadOnly, e.keyAt, e.lineEnd, false, "ReadOnly= has a value rofix does not read as a boolean; left as is")
	}
	return false
}

// tmpfs adds a Tmpfs= for each entry policy.Apply decided (it leaves out
// the paths something mounts, podman's own tmpfs included).
func (q *quadlet) tmpfs(a policy.Applied) {
	for _, entry := range a.Tmpfs {
		q.add("Tmpfs", entry)
		q.plan.Add(finding.Tmpfs, q.at, q.at, true, "Tmpfs=%s added", entry)
	}
}

func (q *quadlet) noNewPrivileges(pa podmanArgs) {
	e := q.last("NoNewPrivileges")
	if pa.nnp != policy.Absent {
		if pa.nnp != policy.On {
			pe := q.last("PodmanArgs")
			q.plan.Add(finding.NoNewPrivileges, pe.keyAt, pe.lineEnd, false, "no-new-privileges in PodmanArgs= is an explicit choice; kept")
		}
		return
	}
	if e == nil {
		q.add("NoNewPrivileges", "true")
		q.plan.Add(finding.NoNewPrivileges, q.at, q.at, true, "NoNewPrivileges=true added")
		return
	}
	switch boolOf(q.u.value(e)) {
	case policy.Off:
		q.plan.Add(finding.NoNewPrivileges, e.keyAt, e.lineEnd, false, "NoNewPrivileges=%s is an explicit choice; kept", q.u.value(e))
	case policy.Dynamic:
		q.plan.Add(finding.NoNewPrivileges, e.keyAt, e.lineEnd, false, "NoNewPrivileges= has a value rofix does not read as a boolean; left as is")
	}
}

// volumes appends ro to the Volume= binds the policy picks.
func (q *quadlet) volumes() {
	for _, e := range q.u.in("Container", "Volume") {
		spec := q.u.value(e)
		if e.continued || strings.ContainsAny(spec, "\"'") {
			continue
		}
		v, ok := policy.ParseVolume(spec)
		if !ok || v.Source == "" {
			continue
		}
		bind := (policy.IsBindSource(v.Source) || strings.HasPrefix(v.Source, "%")) && !strings.HasSuffix(v.Source, ".volume")
		switch policy.ClassifyMode(v.Mode) {
		case policy.ModeReadOnly, policy.ModeOverlay, policy.ModeDynamic:
			continue
		case policy.ModeReadWrite:
			q.plan.Add(finding.ROMounts, e.valStart, e.valEnd, false, "%s is mounted rw explicitly; kept", v.Source)
			continue
		}
		d := q.pol.Decide(policy.Mount{Source: v.Source, Target: v.Target, Bind: bind})
		if d.Warning != "" {
			q.plan.Add(finding.ROMounts, e.valStart, e.valEnd, false, "%s", d.Warning)
		}
		if !d.ReadOnly {
			if bind {
				q.plan.Add(finding.ROMounts, e.valStart, e.valEnd, false, "bind %s stays writable: %s", v.Source, d.Reason)
			}
			continue
		}
		suffix := policy.AppendRO(v)
		q.edits = append(q.edits, edit.Edit{Start: e.valEnd, End: e.valEnd, Text: suffix})
		q.changed[e] = spec + suffix
		q.plan.Add(finding.ROMounts, e.valStart, e.valEnd, true, "%s mounted read-only (%s)", v.Source, d.Reason)
	}
}

// flushAdded inserts the new settings after the last line of [Container].
func (q *quadlet) flushAdded() {
	if len(q.added) == 0 {
		return
	}
	at := q.u.sectionEnd["Container"]
	src, eol := q.u.src, q.u.eol
	// Before the blank lines and comments that end the section.
	for _, e := range q.u.entries {
		if e.section == "Container" {
			_, next := lineBounds(src, e.lineEnd)
			if e.lineEnd == len(src) {
				next = len(src)
			}
			at = next
		}
	}
	text := strings.Join(q.added, eol) + eol
	if at == len(src) && at > 0 && src[at-1] != '\n' {
		text = eol + strings.Join(q.added, eol)
	}
	q.edits = append(q.edits, edit.Edit{Start: at, End: at, Text: text, Block: true})
}

// expected returns the [Container] settings the edited file must have.
func (q *quadlet) expected() []string {
	var out []string
	for _, e := range q.u.entries {
		if e.section != "Container" {
			continue
		}
		v := q.u.value(e)
		if c, ok := q.changed[e]; ok {
			v = c
		}
		out = append(out, e.key+"="+v)
	}
	return append(out, q.added...)
}

// settings lists a section's settings as "Key=Value".
func settings(u *unitFile, section string) []string {
	var out []string
	for _, e := range u.entries {
		if e.section == section {
			out = append(out, e.key+"="+u.value(e))
		}
	}
	return out
}
