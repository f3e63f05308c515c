// Package shellparse finds the commands that start containers in shell
// text: docker, podman and nerdctl "run" and "create" invocations, wherever
// the shell would run them (pipelines, lists, functions, command
// substitutions, behind wrappers such as sudo or env, and inside
// sh -c '<script>' arguments), and parses their flags with the engines' real
// grammar.
//
// Its one job is to turn bytes into structured invocations: every word of an
// invocation carries its byte span in the input, so a caller can edit the
// original text without re-printing it. Find works on any byte slice and
// reports offsets relative to it; a caller that extracted a snippet from a
// larger file (a Makefile recipe, a CI step, a Markdown fence) shifts them.
package shellparse
