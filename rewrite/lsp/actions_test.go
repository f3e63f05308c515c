package lsp_test

import (
	"strings"
	"testing"
)

// A quick fix per fixed finding under the cursor: it hardens that
// finding's service alone (the other service is untouched), and rofix run
// on the result finishes the job exactly as formatting would.
func TestQuickFixHardensOneService(t *testing.T) {
	for _, enc := range []string{"utf-16", "utf-8"} {
		c, _ := startClient(t, enc)
		c.open(composeURI, "yaml", composeText)
		var roMount Diagnostic
		for _, d := range c.diagnostics(composeURI) {
			if d.Code == "ro-mounts" && strings.HasPrefix(d.Message, ":ro added") {
				roMount = d
			}
		}
		actions := c.codeActions(composeURI, roMount.Range)
		var fix, all *CodeAction
		for i, a := range actions {
			switch a.Kind {
			case "quickfix":
				fix = &actions[i]
			case "source.fixAll.rofix":
				all = &actions[i]
			}
		}
		if fix == nil || all == nil {
			t.Fatalf("%s: actions %+v: want a quick fix and source.fixAll.rofix", enc, actions)
		}
		if len(fix.Diagnostics) != 1 || fix.Diagnostics[0].Code != "ro-mounts" || !fix.IsPreferred {
			t.Errorf("%s: quick fix %+v: want it preferred and tied to the ro-mounts diagnostic", enc, fix)
		}
		fixed := apply(t, composeText, fix.Edit.Changes[composeURI], encoding(enc))
		web, db, _ := strings.Cut(fixed, "  db:\n")
		if !strings.Contains(web, "/etc/app/app.conf:ro\"") || !strings.Contains(web, "read_only: true") {
			t.Errorf("%s: the quick fix does not harden web:\n%s", enc, fixed)
		}
		if db != "    image: example/db\n" {
			t.Errorf("%s: the quick fix changed service db:\n%s", enc, fixed)
		}
		want, _ := stdinMode(t, "compose.yaml", composeText)
		if again, _ := stdinMode(t, "compose.yaml", fixed); again != want {
			t.Errorf("%s: rofix after the quick fix gives\n%s\nwant\n%s", enc, again, want)
		}
		if got := apply(t, composeText, all.Edit.Changes[composeURI], encoding(enc)); got != want {
			t.Errorf("%s: source.fixAll.rofix gives\n%s\nwant\n%s", enc, got, want)
		}
	}
}

// The kinds asked for in context.only filter the actions, by prefix as
// the protocol says; a range without a fixed finding gets no quick fix.
func TestCodeActionKinds(t *testing.T) {
	c, _ := startClient(t)
	c.open(scriptURI, "sh", scriptText)
	onRun := Range{Start: Position{1, 15}, End: Position{1, 15}}
	onShebang := Range{Start: Position{0, 0}, End: Position{0, 2}}
	for _, tc := range []struct {
		name string
		rng  Range
		only []string
		want string // the kinds returned, in order
	}{
		{"everything", onRun, nil, "quickfix,quickfix,quickfix,source.fixAll.rofix"},
		{"quick fixes", onRun, []string{"quickfix"}, "quickfix,quickfix,quickfix"},
		{"source", onRun, []string{"source"}, "source.fixAll.rofix"},
		{"fixAll", onRun, []string{"source.fixAll"}, "source.fixAll.rofix"},
		{"exact", onRun, []string{"source.fixAll.rofix"}, "source.fixAll.rofix"},
		{"another kind", onRun, []string{"refactor"}, ""},
		{"no finding in range", onShebang, []string{"quickfix"}, ""},
	} {
		var kinds []string
		for _, a := range c.codeActions(scriptURI, tc.rng, tc.only...) {
			kinds = append(kinds, a.Kind)
		}
		if got := strings.Join(kinds, ","); got != tc.want {
			t.Errorf("%s: kinds %q, want %q", tc.name, got, tc.want)
		}
	}
	// The script has one command: each finding's fix is the whole change.
	want, _ := stdinMode(t, "run.sh", scriptText)
	for _, a := range c.codeActions(scriptURI, onRun, "quickfix") {
		if got := apply(t, scriptText, a.Edit.Changes[scriptURI], utf16Encoding); got != want {
			t.Errorf("%q gives\n%s\nwant\n%s", a.Title, got, want)
		}
	}
}

// Diagnostics follow the text: on change, on a file rofix refuses, and on
// close.
func TestDiagnosticsFollowChanges(t *testing.T) {
	c, _ := startClient(t)
	c.open(composeURI, "yaml", composeText)
	if n := len(c.diagnostics(composeURI)); n != 8 {
		t.Errorf("%d diagnostics on open, want 8", n)
	}
	change := func(version int, text string) {
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": composeURI, "version": version},
			"contentChanges": []any{map[string]any{"text": text}},
		})
	}

	hardened, _ := stdinMode(t, "compose.yaml", composeText)
	change(2, hardened)
	// What stays is for a person: no quick fix, no edits.
	if n := len(c.diagnostics(composeURI)); n != 1 {
		t.Errorf("%d diagnostics after hardening, want 1 (the writable ./data bind)", n)
	}
	whole := Range{Start: Position{0, 0}, End: Position{99, 0}}
	if a := c.codeActions(composeURI, whole); len(a) != 0 {
		t.Errorf("code actions on hardened text: %+v", a)
	}
	if edits, err := c.format(composeURI); err != nil || len(edits) != 0 {
		t.Errorf("formatting hardened text: %v, %+v; want no edits", err, edits)
	}

	change(3, "services:\n  web:\n    image: [unclosed\n")
	diags := c.diagnostics(composeURI)
	if len(diags) != 1 || diags[0].Severity != 1 || diags[0].Range.Start.Line != 2 {
		t.Errorf("on invalid YAML: %+v; want one error on line 3", diags)
	}
	// Formatting leaves it as it is (like -w), and logs why.
	if edits, err := c.format(composeURI); err != nil || len(edits) != 0 {
		t.Errorf("formatting invalid YAML: %v, %+v; want no edits", err, edits)
	}
	var logged string
	for _, m := range c.notes {
		if m.Method == "window/logMessage" {
			logged = string(m.Params)
		}
	}
	if !strings.Contains(logged, "compose.yaml:3:") {
		t.Errorf("window/logMessage %s: want the error with the file and line", logged)
	}

	change(4, "x-not: compose\n")
	if d := c.diagnostics(composeURI); len(d) != 0 {
		t.Errorf("YAML that is not compose: %+v", d)
	}

	c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": composeURI}})
	if d := c.diagnostics(composeURI); len(d) != 0 {
		t.Errorf("after close: %+v", d)
	}
	if _, err := c.format(composeURI); err == nil {
		t.Error("formatting a closed document succeeded")
	}
}

// Incremental changes are applied too, in the negotiated encoding.
func TestIncrementalChange(t *testing.T) {
	c, _ := startClient(t, "utf-16")
	c.open(scriptURI, "sh", scriptText)
	// Replace "example/app" (after the emoji: UTF-16 columns 28 to 39)
	// with "example/other".
	c.notify("textDocument/didChange", map[string]any{
		"textDocument": map[string]any{"uri": scriptURI, "version": 2},
		"contentChanges": []any{map[string]any{
			"range": Range{Start: Position{1, 28}, End: Position{1, 39}}, "text": "example/other"}},
	})
	edits, err := c.format(scriptURI)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(scriptText, "example/app", "example/other", 1)
	want, _ := stdinMode(t, "run.sh", text)
	if got := apply(t, text, edits, utf16Encoding); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// The kind comes from the file name and the content, as on the command
// line; files rofix does not handle get no diagnostics.
func TestDocumentKinds(t *testing.T) {
	c, _ := startClient(t)
	for _, tc := range []struct {
		uri, lang, text string
		want            int // diagnostics
	}{
		{"file:///a/docker-compose.prod.yml", "yaml", "services:\n  a:\n    image: x\n", 3},
		{"file:///a/stack.yaml", "yaml", "services:\n  a:\n    image: x\n", 3},
		{"file:///a/k8s.yaml", "yaml", "kind: Pod\n", 0},
		{"file:///a/deploy", "", "#!/bin/bash\ndocker run x\n", 3},
		{"untitled:Untitled-1", "shellscript", "docker run x\n", 3},
		{"file:///a/main.go", "go", "package main\n", 0},
		{"file:///a/notes.txt", "plaintext", "docker run x\n", 0},
	} {
		c.open(tc.uri, tc.lang, tc.text)
		if got := len(c.diagnostics(tc.uri)); got != tc.want {
			t.Errorf("%s (%s): %d diagnostics, want %d", tc.uri, tc.lang, got, tc.want)
		}
	}
}

// The session's life cycle: requests before initialize are refused, exit
// without shutdown is reported, a broken frame ends the session.
func TestLifecycle(t *testing.T) {
	c, _ := startClient(t)
	if err := c.request("initialize", map[string]any{"capabilities": map[string]any{}}, nil); err == nil {
		t.Error("a second initialize succeeded")
	}
	c.notify("exit", nil)
	<-c.done
	if c.status != 1 {
		t.Errorf("exit without shutdown: status %d, want 1", c.status)
	}
}

// In a script, a finding's quick fix hardens its own run command only.
func TestQuickFixHardensOneCommand(t *testing.T) {
	const uri = "file:///s/two.sh"
	text := "#!/bin/sh\ndocker run -d example/one\npodman run --rm example/two true\n"
	c, _ := startClient(t)
	c.open(uri, "sh", text)
	actions := c.codeActions(uri, Range{Start: Position{2, 0}, End: Position{2, 0}}, "quickfix")
	if len(actions) == 0 {
		t.Fatal("no quick fix on the second command")
	}
	for _, a := range actions {
		fixed := apply(t, text, a.Edit.Changes[uri], utf16Encoding)
		lines := strings.Split(fixed, "\n")
		if lines[1] != "docker run -d example/one" || !strings.Contains(lines[2], "--read-only") {
			t.Errorf("%q gives\n%s\nwant the second command hardened, the first untouched", a.Title, fixed)
		}
		want, _ := stdinMode(t, "two.sh", text)
		if again, _ := stdinMode(t, "two.sh", fixed); again != want {
			t.Errorf("rofix after %q gives\n%s\nwant\n%s", a.Title, again, want)
		}
	}
}
