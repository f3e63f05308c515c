package cli

import (
	"github.com/rofix/rofix/rewrite/config"
	"github.com/rofix/rofix/rewrite/policy"
)

// imagesKnowledge is what "rofix images" describes: the built-in table,
// extended by the image entries of the .rofix.yaml that governs the
// current directory (so that what "rofix learn" recorded shows, with its
// sources), with the evidence of the built-in entries' facts. A config
// file with errors is an error.
func imagesKnowledge() (*policy.Knowledge, error) {
	f, err := config.NewFinder(policy.Default(), false, "")
	if err != nil {
		return nil, err
	}
	g := f.ForDir(".")
	switch {
	case g.Err != nil:
		return nil, g.Err
	case g.Policy.Images != nil:
		g.Policy.Images.AttachEvidence()
		return g.Policy.Images, nil
	}
	k := policy.Builtin()
	k.AttachEvidence()
	return k, nil
}
