package lsp

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// document is an open text document and, once asked for, rofix's result
// on its current text.
type document struct {
	uri        string
	languageID string
	version    int
	text       string

	res   *rewrite.Result // nil until analysed, or when rofix does not handle it
	pol   policy.Policy   // the policy res was computed with
	done  bool            // res is up to date with text
	lines *lines
}

// shellLanguages are language ids editors give shell scripts: a document
// in one of them is a script even when neither its name nor a shebang
// says so.
var shellLanguages = map[string]bool{"sh": true, "bash": true, "shellscript": true, "dash": true, "ksh": true}

// name returns the file name rofix detects the kind from: the URI's path,
// or its opaque part for a scheme like untitled:.
func (d *document) name() string {
	u, err := url.Parse(d.uri)
	if err != nil {
		return d.uri
	}
	if u.Path != "" {
		return u.Path
	}
	return u.Opaque
}

// kind tells which engine handles the document, as the command line
// decides: from the name and the content (rewrite.DetectKind). Content in
// a YAML file (by extension or language id) decides whether it is compose,
// as for a file named on the command line; any other file needs a compose
// name, a shell name or a shebang, so that rofix stays quiet on files it
// does not handle.
func (d *document) kind() rewrite.Kind {
	name := d.name()
	ext := strings.ToLower(path.Ext(name))
	yamlish := ext == ".yml" || ext == ".yaml" || d.languageID == "yaml" || strings.Contains(d.languageID, "compose")
	k := rewrite.DetectKind(name, []byte(d.text), yamlish)
	if k == rewrite.Unknown && shellLanguages[d.languageID] {
		k = rewrite.Shell
	}
	return k
}

// analyse runs rofix on the current text once per version.
func (d *document) analyse(policyFor PolicyFunc, enc encoding) *rewrite.Result {
	if d.done {
		return d.res
	}
	d.done = true
	d.res = nil
	d.lines = newLines(d.text, enc)
	k := d.kind()
	if k == rewrite.Unknown {
		return nil
	}
	pol, err := policyFor(d.name())
	if err != nil {
		// Like the command line: a file whose config has errors is not
		// processed; the error diagnostic names the config file.
		src := []byte(d.text)
		d.res = &rewrite.Result{Name: d.name(), Kind: k, Src: src, Out: src, Err: err}
		return d.res
	}
	d.pol = pol
	d.res = rewrite.Process(d.name(), []byte(d.text), k, pol)
	return d.res
}

// setText replaces the text; the next analysis runs rofix again.
func (d *document) setText(text string, version int) {
	d.text, d.version, d.done = text, version, false
}

// diagnostics returns one diagnostic per finding, plus one for an error.
// A finding is a warning: either rofix fixes it (the fix is a code action
// away) or it needs a person (an explicit opt-out, a spot rofix cannot edit
// safely, a bind left writable). What an ignore directive did is
// information: a person already decided. (The same split as the reports'
// note and warning, seen before the fix rather than after.)
func (d *document) diagnostics(policyFor PolicyFunc, enc encoding) []Diagnostic {
	res := d.analyse(policyFor, enc)
	diags := []Diagnostic{}
	if res == nil || res.NotCompose {
		return diags
	}
	for _, f := range res.Findings {
		diags = append(diags, d.diagnostic(f))
	}
	if res.Err != nil {
		off := 0
		var pe *finding.PosError
		if errors.As(res.Err, &pe) {
			off = pe.Offset
		}
		diags = append(diags, Diagnostic{
			Range:    d.lines.rangeOf(off, off),
			Severity: severityError,
			Code:     string(finding.Syntax),
			Source:   "rofix",
			Message:  fmt.Sprintf("left unchanged: %v", res.Err),
		})
	}
	return diags
}

func (d *document) diagnostic(f finding.Finding) Diagnostic {
	sev := severityWarning
	if f.Rule == finding.Directive {
		sev = severityInformation
	}
	return Diagnostic{
		Range:    d.lines.rangeOf(f.Start, f.End),
		Severity: sev,
		Code:     string(f.Rule),
		Source:   "rofix",
		Message:  f.Message,
	}
}
