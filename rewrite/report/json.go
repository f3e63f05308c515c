package report

import (
	"encoding/base64"
	"encoding/json"
	"io"
)

// JSONVersion is the version of the JSON document's schema; it changes only
// when a field changes meaning or goes away (new fields may be added).
const JSONVersion = 1

// The JSON document, as documented in the README ("JSON output").
type jsonDoc struct {
	Version int         `json:"version"`
	Files   []jsonFile  `json:"files"`
	Summary jsonSummary `json:"summary"`
}

type jsonFile struct {
	Path     string        `json:"path"`
	Kind     string        `json:"kind"`
	Changed  bool          `json:"changed"`
	Written  bool          `json:"written"`
	Note     string        `json:"note,omitempty"`
	Error    *jsonError    `json:"error"`
	Findings []jsonFinding `json:"findings"`
	Edits    []jsonEdit    `json:"edits"`
}

type jsonError struct {
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
	Line    *int   `json:"line,omitempty"`
	Column  *int   `json:"column,omitempty"`
	Offset  *int   `json:"offset,omitempty"`
}

type jsonFinding struct {
	Rule      string       `json:"rule"`
	Severity  Severity     `json:"severity"`
	Fixed     bool         `json:"fixed"`
	Message   string       `json:"message"`
	Line      int          `json:"line"`
	Column    int          `json:"column"`
	EndLine   int          `json:"end_line"`
	EndColumn int          `json:"end_column"`
	Offset    int          `json:"offset"`
	EndOffset int          `json:"end_offset"`
	Subject   *jsonSubject `json:"subject,omitempty"`
}

type jsonSubject struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	Line int    `json:"line"`
}

type jsonEdit struct {
	Offset int    `json:"offset"`
	End    int    `json:"end"`
	Text   string `json:"text"`
	// TextBase64 holds the exact bytes when they are not valid UTF-8 (a
	// JSON string cannot carry them; Text is then a lossy copy).
	TextBase64 string `json:"text_base64,omitempty"`
}

type jsonSummary struct {
	Files    int            `json:"files"`
	Changed  int            `json:"changed"`
	Skipped  int            `json:"skipped"`
	Errors   int            `json:"errors"`
	Services int            `json:"services_hardened"`
	Commands int            `json:"commands_hardened"`
	Findings []jsonRuleStat `json:"findings"`
}

type jsonRuleStat struct {
	Rule  string `json:"rule"`
	Fixed int    `json:"fixed"`
	Open  int    `json:"open"`
}

// WriteJSON writes the run as one JSON document: every file with its
// findings and edits, and the run's summary.
func WriteJSON(w io.Writer, files []File) error {
	doc := jsonDoc{Version: JSONVersion, Files: make([]jsonFile, 0, len(files))}
	var sum Summary
	for i := range files {
		f := &files[i]
		sum.Add(f)
		doc.Files = append(doc.Files, toJSON(f))
	}
	doc.Summary = jsonSummary{Files: sum.Files, Changed: sum.Changed, Skipped: sum.Skipped, Errors: sum.Errors,
		Services: sum.Services, Commands: sum.Commands, Findings: []jsonRuleStat{}}
	for _, c := range sum.ByRule() {
		doc.Summary.Findings = append(doc.Summary.Findings, jsonRuleStat{Rule: string(c.Rule), Fixed: c.Fixed, Open: c.Open})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func toJSON(f *File) jsonFile {
	jf := jsonFile{Path: f.Path, Kind: f.Kind, Changed: f.Changed, Written: f.Written, Note: f.Note,
		Findings: make([]jsonFinding, 0, len(f.Findings)), Edits: make([]jsonEdit, 0, len(f.Edits))}
	if f.Err != nil {
		jf.Error = &jsonError{Rule: string(f.Err.Rule), Message: f.Err.Message}
		if p := f.Err.Pos; p != nil {
			jf.Error.Line, jf.Error.Column, jf.Error.Offset = &p.Line, &p.Column, &p.Offset
		}
	}
	for _, fd := range f.Findings {
		jfd := jsonFinding{Rule: string(fd.Rule), Severity: fd.Severity, Fixed: fd.Fixed, Message: fd.Message,
			Line: fd.Start.Line, Column: fd.Start.Column, EndLine: fd.End.Line, EndColumn: fd.End.Column,
			Offset: fd.Start.Offset, EndOffset: fd.End.Offset}
		if s := fd.Subject; s != nil {
			jfd.Subject = &jsonSubject{Kind: s.Kind, Name: s.Name, Line: s.Line}
		}
		jf.Findings = append(jf.Findings, jfd)
	}
	for _, e := range f.Edits {
		je := jsonEdit{Offset: e.Offset, End: e.End, Text: e.Text}
		if !validText(e.Text) {
			je.TextBase64 = base64.StdEncoding.EncodeToString([]byte(e.Text))
		}
		jf.Edits = append(jf.Edits, je)
	}
	return jf
}
