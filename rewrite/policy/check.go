package policy

// This file holds the conditions of a cond verdict that rofix checks
// against a container (ImageEntry.Checks).

import (
	"fmt"
	"strings"
)

// A Check is one machine-checkable condition of a cond verdict, on the
// container's environment, mounts or user. Exactly one of Env, Mount and
// User is set.
type Check struct {
	// Env names an environment variable: with Value it must have that
	// value; with Set it must be set and non-empty; with Unset it must be
	// unset or empty.
	Env   string `yaml:"env,omitempty" json:",omitempty"`
	Value string `yaml:"value,omitempty" json:",omitempty"`
	Set   bool   `yaml:"set,omitempty" json:",omitempty"`
	Unset bool   `yaml:"unset,omitempty" json:",omitempty"`
	// Mount is a path that must have something mounted at it or above it
	// (a volume, a bind, a tmpfs).
	Mount string `yaml:"mount,omitempty" json:",omitempty"`
	// User is "non-root" (the container runs as a user other than root
	// or 0) or a user name or uid it must run as.
	User string `yaml:"user,omitempty" json:",omitempty"`
	// Why says what happens when the check is not met.
	Why string `yaml:"why,omitempty" json:",omitempty"`
}

// String describes the check as a condition: "REDIS_HOST unset",
// "SKIP_SETCAP set", "a mount at /data", "user non-root".
func (c Check) String() string {
	switch {
	case c.Env != "" && c.Unset:
		return c.Env + " unset"
	case c.Env != "" && c.Set:
		return c.Env + " set"
	case c.Env != "":
		return c.Env + "=" + c.Value
	case c.Mount != "":
		return "a mount at " + c.Mount
	}
	return "user " + c.User
}

// validate reports a check that is not exactly one of its forms.
func (c Check) validate() error {
	forms := 0
	for _, set := range []bool{c.Env != "", c.Mount != "", c.User != ""} {
		if set {
			forms++
		}
	}
	switch {
	case forms != 1:
		return fmt.Errorf("a check has exactly one of env, mount and user, not %d", forms)
	case c.Env != "" && btoi(c.Value != "")+btoi(c.Set)+btoi(c.Unset) != 1:
		return fmt.Errorf("check on %s: want exactly one of value, set and unset", c.Env)
	case c.Env == "" && (c.Value != "" || c.Set || c.Unset):
		return fmt.Errorf("check %s: value, set and unset go with env", c)
	case c.Mount != "" && !strings.HasPrefix(c.Mount, "/"):
		return fmt.Errorf("check %s: the path is not absolute", c)
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
