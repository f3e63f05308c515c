package policy

// This file decides the checks of a cond verdict (Needs.Checks) against
// what a container has: its environment, mounts and user.

import (
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
)

// checks withholds read-only unless every check of a cond verdict is met
// here; a check rofix cannot decide statically (a value from the host, an
// env file that may set a variable) counts as not met. All met, it says
// so with the read-only rule.
func (ap *applier) checks() {
	if ap.n.Verdict != WorksWithConditions || len(ap.n.Checks) == 0 {
		return
	}
	var met []string
	for _, c := range ap.n.Checks {
		why := ""
		if c.Why != "" {
			why = " (" + c.Why + ")"
		}
		if reason := ap.unmet(c); reason != "" {
			ap.block("%s runs read-only only with %s%s; %s (rofix adds read-only only then)", ap.label, c, why, reason)
			continue
		}
		met = append(met, c.String())
	}
	if len(met) == len(ap.n.Checks) {
		ap.note(finding.ReadOnly, -1, "%s runs read-only only under conditions, met here: %s", ap.label, strings.Join(met, ", "))
	}
}

// unmet says why check c is not met by the container, or "" when it is.
func (ap *applier) unmet(c Check) string {
	switch {
	case c.Env != "":
		val, set := ap.c.Env[c.Env]
		known := set && val != "" && !strings.Contains(val, "$")
		switch {
		case c.Unset && set && val != "" && !known:
			return c.Env + " is set here to a value rofix cannot read"
		case c.Unset && set && val != "":
			return c.Env + " is set to " + val + " here"
		case c.Unset && set:
			return c.Env + " is set here, its value not known statically"
		case c.Unset && ap.c.EnvUnknown:
			return "an env file may set " + c.Env + " here, where rofix cannot see it"
		case c.Unset:
			return ""
		case !set && ap.c.EnvUnknown:
			return c.Env + " is not set here (an env file may set it, rofix cannot see it): set it in the environment"
		case !set:
			return c.Env + " is not set here"
		case !known:
			return c.Env + " is set here, its value not known statically"
		case c.Value != "" && val != c.Value:
			return c.Env + " is " + val + " here"
		}
		return ""
	case c.Mount != "":
		if ap.covered(CanonicalPath(c.Mount)) == nil {
			return "nothing is mounted at " + c.Mount + " here: mount a volume there"
		}
		return ""
	}
	user := ap.c.User
	if user == "" {
		user = ap.n.User
	}
	name, _, _ := strings.Cut(user, ":")
	switch {
	case strings.Contains(user, "$"):
		return "the user is not known statically here"
	case c.User == "non-root" && IsRootUser(user):
		return "it runs as root here: set a user other than root"
	case c.User != "non-root" && name != c.User:
		return "it runs as " + or(user, "root") + " here: set user " + c.User
	}
	return ""
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
