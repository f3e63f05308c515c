// Package yamledit edits YAML files with minimal byte edits: yaml.v3 only
// locates nodes; keys, sequence items and whole nested values are inserted
// as text in the file's own style (indentation, sequence style, flow or
// block, line endings), each insertion recorded together with the same
// change on the YAML tree, and Verify re-parses the edited text and
// requires it to equal the original tree plus exactly those changes.
//
// The locating and verifying core is a copy of rewrite/compose's (source,
// scan, limits, verify), generalised to insert nested values; the
// Kubernetes and embedded-command engines use it. compose keeps its own
// copy for now so that its behaviour cannot change through this package.
package yamledit
