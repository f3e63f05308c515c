package rewrite

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"mvdan.cc/sh/v3/fileutil"

	"github.com/rofix/rofix/rewrite/compose"
	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/embed"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/kube"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/shell"
	"github.com/rofix/rofix/rewrite/unit"
)

// Kind is the kind of file an engine handles.
type Kind int

const (
	Unknown Kind = iota
	Compose
	Shell
	Kube     // a Kubernetes manifest
	Quadlet  // a Podman Quadlet .container unit
	Service  // a systemd .service unit
	Makefile // a Makefile's recipes
	Workflow // a GitHub Actions workflow's run: steps
	GitLab   // a GitLab CI file's script: items
	Markdown // a Markdown file's shell code blocks (with --docs)
)

func (k Kind) String() string {
	return [...]string{"unknown", "compose", "shell", "kube", "quadlet", "service", "makefile", "workflow", "gitlab-ci", "markdown"}[k]
}

// KindOfName returns the kind a path alone says, for the kinds known by
// name beyond compose and shell, or Unknown: *.container, *.service,
// Makefile, *.mk, .github/workflows/*.y(a)ml, .gitlab-ci.yml, *.md.
func KindOfName(path string) Kind {
	base := filepath.Base(path)
	switch {
	case filepath.Ext(base) == ".container":
		return Quadlet
	case filepath.Ext(base) == ".service":
		return Service
	case base == "Makefile", base == "makefile", base == "GNUmakefile", filepath.Ext(base) == ".mk":
		return Makefile
	case base == ".gitlab-ci.yml", base == ".gitlab-ci.yaml":
		return GitLab
	case IsYAMLName(base) && strings.Contains(filepath.ToSlash(path), ".github/workflows/"):
		return Workflow
	case filepath.Ext(base) == ".md", filepath.Ext(base) == ".markdown":
		return Markdown
	}
	return Unknown
}

// IsComposeName reports whether a base name is one a directory walk treats
// as a compose file: compose.y(a)ml, docker-compose.y(a)ml and their
// compose.*.y(a)ml and docker-compose.*.y(a)ml variants.
func IsComposeName(base string) bool {
	return compose.IsName(base)
}

// IsYAMLName reports whether a base name ends in .yaml or .yml: a walk
// reads such files to see whether they are Kubernetes manifests.
func IsYAMLName(base string) bool {
	ext := filepath.Ext(base)
	return ext == ".yaml" || ext == ".yml"
}

// IsShellName reports whether a file name alone says shell (.sh, .bash).
func IsShellName(base string) bool {
	ext := filepath.Ext(base)
	return ext == ".sh" || ext == ".bash"
}

// IsShellShebang reports whether content starts with a sh, bash, dash or
// ksh shebang.
func IsShellShebang(src []byte) bool {
	switch fileutil.Shebang(src) {
	case "sh", "bash", "dash", "ksh":
		return true
	}
	return false
}

// DetectKind tells which engine handles a file, from its name and content.
// A file named explicitly (not found by a walk) that is neither a compose
// name nor shell is tried as compose: its content decides.
func DetectKind(name string, src []byte, explicit bool) Kind {
	base := filepath.Base(name)
	switch {
	case IsComposeName(base):
		return Compose
	case KindOfName(name) != Unknown:
		return KindOfName(name)
	case IsShellName(base), IsShellShebang(src):
		return Shell
	case (explicit || IsYAMLName(base)) && kube.LooksLike(src):
		return Kube
	case explicit:
		return Compose
	}
	return Unknown
}

// Result is the outcome of hardening one file.
type Result struct {
	Name string
	Kind Kind
	Src  []byte
	Out  []byte // equal to Src when nothing changes or on error
	// Edits turn Src into Out: every change is one of them.
	Edits    []edit.Edit
	Findings []finding.Finding
	// Err is set when the file could not be processed; Out is then Src.
	// A *finding.PosError carries the offset of the problem.
	Err error
	// NotCompose is set when a file tried as compose has no services.
	NotCompose bool
}

// Changed reports whether the file's content changes.
func (r *Result) Changed() bool { return r.Err == nil && string(r.Out) != string(r.Src) }

// Process hardens one file's content: it asks the engine for a plan,
// applies the edits and verifies the result. It never writes anything.
func Process(name string, src []byte, kind Kind, pol policy.Policy) *Result {
	r := &Result{Name: name, Kind: kind, Src: src, Out: src}
	var plan *finding.Plan
	var err error
	switch kind {
	case Compose:
		plan, err = compose.PlanFile(name, src, pol)
		if errors.Is(err, compose.ErrNotCompose) {
			r.NotCompose = true
			return r
		}
	case Shell:
		plan, err = shell.Plan(name, src, pol)
	case Quadlet:
		plan, err = unit.PlanContainer(src, pol)
	case Service:
		plan, err = unit.PlanService(name, src, pol)
	case Makefile:
		plan, err = embed.PlanMakefile(name, src, pol)
	case Workflow:
		plan, err = embed.PlanWorkflow(name, src, pol)
	case GitLab:
		plan, err = embed.PlanGitLab(name, src, pol)
	case Markdown:
		plan, err = embed.PlanMarkdown(name, src, pol)
	case Kube:
		plan, err = kube.Plan(src, pol)
		if errors.Is(err, kube.ErrNotKube) {
			r.Kind = Compose
			plan, err = compose.PlanFile(name, src, pol)
			// Found as a Kubernetes candidate, not by a compose name: a
			// top-level mapping with an image (a Helm chart's values.yaml)
			// does not make a compose v1 file.
			if errors.Is(err, compose.ErrNotCompose) || errors.Is(err, compose.ErrV1) {
				r.NotCompose = true
				return r
			}
		}
	default:
		r.Err = unsupported(fmt.Errorf("not a compose file or shell script"))
		return r
	}
	if err != nil {
		r.Err = err
		return r
	}
	r.Findings = plan.Findings
	finding.Sort(r.Findings)
	if len(plan.Edits) == 0 {
		return r
	}
	out, err := edit.Apply(src, plan.Edits)
	if err == nil && plan.Verify != nil {
		err = plan.Verify(out)
	}
	if err != nil {
		r.Err = unsupported(fmt.Errorf("verification failed, file left unchanged: %w", err))
		return r
	}
	r.Out, r.Edits = out, plan.Edits
	return r
}
