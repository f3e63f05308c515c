// Package compose hardens Docker Compose files with minimal byte edits.
package compose

import (
	"errors"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// ErrNotCompose is returned for YAML without a top-level services mapping.
var ErrNotCompose = errors.New("not a compose file: no top-level services mapping")

// Plan returns the edits and findings that harden every service of a
// compose file.
func Plan(src []byte, pol policy.Policy) (*finding.Plan, error) {
	return &finding.Plan{}, nil
}
