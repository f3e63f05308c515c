package embed

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// PlanWorkflow hardens the run: steps of a GitHub Actions workflow whose
// shell is bash or sh (the default); pwsh, python and other shells are left
// alone. ${{ }} expressions read as shell variables: edits never land
// inside them.
func PlanWorkflow(name string, src []byte, pol policy.Policy) (*finding.Plan, error) {
	return Plan(name, src, pol, extractWorkflow)
}

// PlanGitLab hardens the script:, before_script: and after_script: items of
// a GitLab CI file (jobs and default:).
func PlanGitLab(name string, src []byte, pol policy.Policy) (*finding.Plan, error) {
	return Plan(name, src, pol, extractGitLab)
}

func extractWorkflow(src []byte) ([]*Snippet, error) {
	s, err := yamledit.Parse(src)
	if err != nil {
		return nil, err
	}
	var out []*Snippet
	for _, d := range s.Docs {
		top := yamledit.DocRoot(d)
		defShell := defaultShell(top)
		_, jobs := yamledit.Lookup(top, "jobs")
		if jobs == nil || jobs.Kind != yaml.MappingNode {
			continue
		}
		for i := 1; i < len(jobs.Content); i += 2 {
			job := jobs.Content[i]
			jobShell := defaultShell(job)
			if jobShell == "" {
				jobShell = defShell
			}
			_, steps := yamledit.Lookup(job, "steps")
			if steps == nil || steps.Kind != yaml.SequenceNode {
				continue
			}
			for _, step := range steps.Content {
				sh := jobShell
				if _, v := yamledit.Lookup(step, "shell"); v != nil {
					sh = v.Value
				}
				if !isPOSIXShell(sh) {
					continue
				}
				k, run := yamledit.Lookup(step, "run")
				if run == nil || run.Kind != yaml.ScalarNode {
					continue
				}
				if sn := scalarSnippet(s, run, s.KeyColumn(k)); sn != nil {
					out = append(out, sn)
				}
			}
		}
	}
	return out, nil
}

// defaultShell returns defaults.run.shell of a workflow or job.
func defaultShell(m *yaml.Node) string {
	_, d := yamledit.Lookup(m, "defaults")
	_, r := yamledit.Lookup(d, "run")
	_, sh := yamledit.Lookup(r, "shell")
	if sh == nil {
		return ""
	}
	return sh.Value
}

// isPOSIXShell reports whether a workflow shell: runs the script with bash
// or sh ("" is the default, bash).
func isPOSIXShell(sh string) bool {
	w, _, _ := strings.Cut(strings.TrimSpace(sh), " ")
	switch w {
	case "", "bash", "sh":
		return true
	}
	return false
}

func extractGitLab(src []byte) ([]*Snippet, error) {
	s, err := yamledit.Parse(src)
	if err != nil {
		return nil, err
	}
	var out []*Snippet
	for _, d := range s.Docs {
		top := yamledit.DocRoot(d)
		if top == nil || top.Kind != yaml.MappingNode {
			continue
		}
		for i := 1; i < len(top.Content); i += 2 {
			job := top.Content[i]
			if job.Kind != yaml.MappingNode {
				continue
			}
			for _, key := range []string{"before_script", "script", "after_script"} {
				k, v := yamledit.Lookup(job, key)
				switch {
				case v == nil:
				case v.Kind == yaml.ScalarNode:
					if sn := scalarSnippet(s, v, s.KeyColumn(k)); sn != nil {
						out = append(out, sn)
					}
				case v.Kind == yaml.SequenceNode:
					for _, item := range v.Content {
						if item.Kind != yaml.ScalarNode {
							continue
						}
						if sn := scalarSnippet(s, item, s.DashColumn(item)); sn != nil {
							out = append(out, sn)
						}
					}
				}
			}
		}
	}
	return out, nil
}

// scalarSnippet returns the shell text of a YAML scalar: a literal block
// scalar line by line without its indentation; a single-line plain scalar,
// or a quoted one without escapes, as it is. Folded and multi-line flow
// scalars, whose text YAML rewrites, are not taken. indent is the column
// of the key or dash owning the scalar.
func scalarSnippet(s *yamledit.Source, n *yaml.Node, indent int) *Snippet {
	if !mentionsEngine(n.Value) || n.Tag != "!!str" {
		return nil
	}
	src := s.Src
	start := s.Start(n)
	end, err := s.ScalarEnd(n, indent, false)
	if err != nil {
		return nil
	}
	switch {
	case n.Style&yaml.LiteralStyle != 0:
		return literalSnippet(s, n, start, end)
	case n.Style&yaml.FoldedStyle != 0:
		return nil
	case s.LineOf(start) != s.LineOf(end):
		return nil
	case n.Style&yaml.DoubleQuotedStyle != 0:
		inner := string(src[start+1 : end-1])
		if strings.ContainsAny(inner, `\"`) {
			return nil
		}
		return ghaSnippet(src, start+1, end-1, nil)
	case n.Style&yaml.SingleQuotedStyle != 0:
		inner := string(src[start+1 : end-1])
		if strings.Contains(inner, "'") {
			return nil
		}
		return ghaSnippet(src, start+1, end-1, func(t string) (string, error) { return strings.ReplaceAll(t, "'", "''"), nil })
	}
	return ghaSnippet(src, start, end, nil)
}

// literalSnippet maps a literal block scalar's content lines.
func literalSnippet(s *yamledit.Source, n *yaml.Node, header, end int) *Snippet {
	src := s.Src
	// An explicit indentation indicator is rare: leave those alone.
	for i := header + 1; i < len(src) && src[i] != '\n' && src[i] != '\r' && src[i] != ' ' && src[i] != '#'; i++ {
		if src[i] >= '1' && src[i] <= '9' {
			return nil
		}
	}
	first := s.NextLine(header)
	indent := -1
	for line := first; line < end; line = s.NextLine(line) {
		ind := s.IndentAt(line)
		if line+ind < len(src) && src[line+ind] != '\n' && src[line+ind] != '\r' {
			indent = ind
			break
		}
	}
	if indent < 0 {
		return nil
	}
	pad := strings.Repeat(" ", indent)
	sn := &Snippet{Escape: func(t string) (string, error) { return strings.ReplaceAll(t, "\n", s.EOL+pad), nil }}
	for line := first; line < end; line = s.NextLine(line) {
		lend := s.LineEnd(line)
		content := line + min(indent, lend-line)
		if lend-line < indent || s.IndentAt(line) < indent {
			sn.Mapped("", line, content) // a blank line
		} else {
			addExpr(sn, src, content, lend)
		}
		next := s.NextLine(line)
		if lend < next {
			sn.Mapped("\n", lend, next)
		}
	}
	if sn.Len() == 0 {
		return nil
	}
	return sn
}

// ghaSnippet maps host bytes [start,end) of one line.
func ghaSnippet(src []byte, start, end int, escape func(string) (string, error)) *Snippet {
	sn := &Snippet{Escape: escape}
	addExpr(sn, src, start, end)
	return sn
}

// addExpr appends host bytes, turning each ${{ ... }} expression into a
// shell variable (GHA_EXPR_n) the shell engine treats as an unknown value.
func addExpr(sn *Snippet, src []byte, start, end int) {
	for start < end {
		i := strings.Index(string(src[start:end]), "${{")
		if i < 0 {
			break
		}
		j := strings.Index(string(src[start+i:end]), "}}")
		if j < 0 {
			break
		}
		if i > 0 {
			sn.Verbatim(src, start, start+i)
		}
		sn.Placeholder("GHA_EXPR", src, start+i, start+i+j+2)
		start += i + j + 2
	}
	if start < end {
		sn.Verbatim(src, start, end)
	}
}
