package report

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
)

// SARIF constants: the version rofix writes and the schema it validates
// against (the OASIS SARIF 2.1.0 schema, errata 01).
const (
	SARIFVersion = "2.1.0"
	SARIFSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// SrcRoot is the uriBaseId relative URIs are resolved against.
	SrcRoot = "%SRCROOT%"
)

// SARIFOptions tunes the SARIF log.
type SARIFOptions struct {
	// Root is the absolute directory relative paths start from (the working
	// directory); it becomes %SRCROOT%'s original URI. Empty leaves
	// %SRCROOT% to the consumer (code scanning uses the checkout).
	Root string
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	Invocations        []sarifInvocation           `json:"invocations"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult               `json:"results"`
	ColumnKind         string                      `json:"columnKind"`
	NewlineSequences   []string                    `json:"newlineSequences"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string        `json:"id"`
	Name                 string        `json:"name"`
	ShortDescription     sarifMessage  `json:"shortDescription"`
	FullDescription      sarifMessage  `json:"fullDescription"`
	Help                 sarifMessage  `json:"help"`
	DefaultConfiguration sarifConfig   `json:"defaultConfiguration"`
	Properties           sarifRuleTags `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifRuleTags struct {
	Tags []string `json:"tags"`
}

type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level          string          `json:"level"`
	Message        sarifMessage    `json:"message"`
	Locations      []sarifLocation `json:"locations,omitempty"`
	AssociatedRule *sarifRuleRef   `json:"associatedRule,omitempty"`
}

// sarifRuleRef points at a rule descriptor (a reportingDescriptorReference).
type sarifRuleRef struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
}

type sarifResult struct {
	RuleID     string           `json:"ruleId"`
	RuleIndex  int              `json:"ruleIndex"`
	Level      Severity         `json:"level"`
	Message    sarifMessage     `json:"message"`
	Locations  []sarifLocation  `json:"locations"`
	Fixes      []sarifFix       `json:"fixes,omitempty"`
	Properties *sarifResultProp `json:"properties,omitempty"`
}

type sarifResultProp struct {
	Fixed bool `json:"fixed"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// sarifRegion has both the text properties (lines, UTF-16 columns) and the
// binary ones (byte offset and length); they name the same bytes.
type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
	ByteOffset  int `json:"byteOffset"`
	ByteLength  int `json:"byteLength"`
}

type sarifFix struct {
	Description     sarifMessage          `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifactLoc   `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion   `json:"deletedRegion"`
	InsertedContent *sarifContent `json:"insertedContent,omitempty"`
}

type sarifContent struct {
	Text   *string `json:"text,omitempty"`
	Binary string  `json:"binary,omitempty"`
}

// fixDescription says how a file's fix is meant to be applied.
const fixDescription = "Every change rofix makes to this file; apply them together (a read-only root filesystem needs the tmpfs added with it)."

// WriteSARIF writes the run as a SARIF 2.1.0 log with one run: a rule
// descriptor per rule id, a result per finding and per positioned error,
// and, on the first fixed result of each changed file, one fix holding every
// edit of that file. Errors without a position become tool execution
// notifications.
func WriteSARIF(w io.Writer, files []File, opts SARIFOptions) error {
	run := sarifRun{
		Tool:             sarifTool{Driver: sarifDriver{Name: "rofix", InformationURI: "https://github.com/rofix/rofix"}},
		Results:          []sarifResult{},
		ColumnKind:       "utf16CodeUnits",
		NewlineSequences: []string{"\r\n", "\n"},
	}
	if opts.Root != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLoc{SrcRoot: {URI: fileURI(opts.Root) + "/"}}
	}
	ruleIndex := map[finding.Rule]int{}
	addRule := func(d RuleDoc) {
		ruleIndex[d.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleFor(d))
	}
	for _, d := range Rules() {
		if !finding.IsOptIn(string(d.ID)) { // an opt-in rule is described when a result uses it: with them off, the log is what it was
			addRule(d)
		}
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	for i := range files {
		f := &files[i]
		loc := artifactLocation(f.Path, opts.Root)
		first := len(run.Results)
		for _, fd := range f.Findings {
			if _, ok := ruleIndex[fd.Rule]; !ok {
				addRule(RuleFor(fd.Rule))
			}
			r := sarifResult{
				RuleID: string(fd.Rule), RuleIndex: ruleIndex[fd.Rule], Level: fd.Severity,
				Message:   sarifMessage{Text: fd.Message},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: loc, Region: spanRegion(fd.Start, fd.End)}}},
			}
			if fd.Fixed {
				r.Properties = &sarifResultProp{Fixed: true}
			}
			run.Results = append(run.Results, r)
		}
		if len(f.fix) > 0 {
			attachFix(run.Results[first:], f, loc)
		}
		if f.Err == nil {
			continue
		}
		inv.ExecutionSuccessful = false
		if p := f.Err.Pos; p != nil {
			rule := f.Err.Rule
			if rule == "" {
				rule = finding.Syntax
			}
			run.Results = append(run.Results, sarifResult{
				RuleID: string(rule), RuleIndex: ruleIndex[rule], Level: SeverityError,
				Message:   sarifMessage{Text: f.Err.Message + "; the file is left unchanged"},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: loc, Region: spanRegion(*p, *p)}}},
			})
			continue
		}
		n := sarifNotification{
			Level:     string(SeverityError),
			Message:   sarifMessage{Text: f.Path + ": " + f.Err.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: loc}}},
		}
		if i, ok := ruleIndex[f.Err.Rule]; ok {
			n.AssociatedRule = &sarifRuleRef{ID: string(f.Err.Rule), Index: i}
		}
		inv.Notifications = append(inv.Notifications, n)
	}
	run.Invocations = []sarifInvocation{inv}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: SARIFSchema, Version: SARIFVersion, Runs: []sarifRun{run}})
}

// attachFix puts a changed file's fix on its first fixed result. Every edit
// comes with a fixed finding; should one not, the first result carries it.
func attachFix(results []sarifResult, f *File, loc sarifArtifactLoc) {
	if len(results) == 0 {
		return // unreachable for the engines' plans; see sarif_test.go
	}
	at := 0
	for i, r := range results {
		if r.Properties != nil && r.Properties.Fixed {
			at = i
			break
		}
	}
	change := sarifArtifactChange{ArtifactLocation: loc}
	for _, rp := range f.fix {
		r := sarifReplacement{DeletedRegion: *spanRegion(rp.start, rp.end)}
		if rp.text != "" {
			text := rp.text
			if validText(text) {
				r.InsertedContent = &sarifContent{Text: &text}
			} else {
				r.InsertedContent = &sarifContent{Binary: base64.StdEncoding.EncodeToString([]byte(text))}
			}
		}
		change.Replacements = append(change.Replacements, r)
	}
	results[at].Fixes = []sarifFix{{Description: sarifMessage{Text: fixDescription}, ArtifactChanges: []sarifArtifactChange{change}}}
}

func spanRegion(start, end Position) *sarifRegion {
	return &sarifRegion{
		StartLine: start.Line, StartColumn: start.Column16, EndLine: end.Line, EndColumn: end.Column16,
		ByteOffset: start.Offset, ByteLength: end.Offset - start.Offset,
	}
}

func sarifRuleFor(d RuleDoc) sarifRule {
	level := SeverityWarning
	switch d.ID {
	case finding.Directive:
		level = SeverityNote
	case finding.Syntax:
		level = SeverityError
	}
	return sarifRule{
		ID:               string(d.ID),
		Name:             ruleName(d.ID),
		ShortDescription: sarifMessage{Text: d.Short},
		FullDescription:  sarifMessage{Text: d.Full},
		Help: sarifMessage{
			Text:     d.Why,
			Markdown: fmt.Sprintf("**%s**\n\n%s\n\n**Why:** %s", d.Title, d.Full, d.Why),
		},
		DefaultConfiguration: sarifConfig{Level: string(level)},
		Properties:           sarifRuleTags{Tags: []string{"security", "containers"}},
	}
}

// ruleName turns a rule id into the PascalCase name SARIF suggests.
func ruleName(id finding.Rule) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(string(id), func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// artifactLocation names a file: relative to %SRCROOT% when it is under
// root (or relative and root unknown), else an absolute file URI.
func artifactLocation(path, root string) sarifArtifactLoc {
	p := filepath.Clean(path)
	if filepath.IsAbs(p) && root != "" {
		if rel, err := filepath.Rel(root, p); err == nil && !escapes(rel) {
			p = rel
		}
	}
	if filepath.IsAbs(p) || escapes(p) {
		abs := p
		if !filepath.IsAbs(abs) && root != "" {
			abs = filepath.Join(root, abs)
		}
		if filepath.IsAbs(abs) {
			return sarifArtifactLoc{URI: fileURI(abs)}
		}
	}
	return sarifArtifactLoc{URI: escapeURIPath(filepath.ToSlash(p)), URIBaseID: SrcRoot}
}

func escapes(rel string) bool {
	return rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func fileURI(abs string) string {
	return "file://" + escapeURIPath(filepath.ToSlash(abs))
}

// escapeURIPath percent-encodes every byte of a slash-separated path but
// RFC 3986's unreserved characters and "/".
func escapeURIPath(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
