package policy

import (
	"fmt"
	"path"
	"strings"
)

// A Build is a compose service's build: section, as the engine read it.
type Build struct {
	// Context is the build context, relative to the compose file's
	// directory ("." when absent).
	Context string
	// Dockerfile is the Dockerfile's path relative to the context
	// ("Dockerfile" when absent).
	Dockerfile string
	// Inline is the text of dockerfile_inline, when HasInline.
	Inline    string
	HasInline bool
	// Args are the static build args: they override ARG defaults.
	Args map[string]string
}

// FromBuild is what rofix learns from a service's Dockerfile.
type FromBuild struct {
	// Final describes the final stage (its base image, VOLUMEs, USER).
	Final FinalStage
	// Path is the Dockerfile read, relative to the compose file.
	Path string
}

// ReadBuild reads the Dockerfile of a build through p.ReadFile and returns
// its final stage. ok is false, with no error, when there is nothing to
// read (no ReadFile hook, a remote context); err says why a Dockerfile
// could not be read or parsed.
func (p Policy) ReadBuild(b Build) (fb FromBuild, ok bool, err error) {
	src := []byte(b.Inline)
	fb.Path = "dockerfile_inline"
	if !b.HasInline {
		ctx := b.Context
		if ctx == "" {
			ctx = "."
		}
		if p.ReadFile == nil || isRemoteContext(ctx) || strings.Contains(ctx+b.Dockerfile, "$") {
			return fb, false, nil
		}
		df := b.Dockerfile
		if df == "" {
			df = "Dockerfile"
		}
		fb.Path = path.Join(ctx, df)
		if path.IsAbs(df) {
			fb.Path = df
		}
		src, err = p.ReadFile(fb.Path)
		if err != nil {
			return fb, false, fmt.Errorf("%s: %w", fb.Path, err)
		}
	}
	d, err := ParseDockerfile(src, b.Args)
	if err != nil {
		return fb, false, fmt.Errorf("%s: %w", fb.Path, err)
	}
	fb.Final = d.Final()
	return fb, true, nil
}

// isRemoteContext reports a context that is not a directory of the tree:
// a Git or HTTP URL, or another kind of source.
func isRemoteContext(ctx string) bool {
	return strings.Contains(ctx, "://") || strings.HasPrefix(ctx, "git@") ||
		strings.HasPrefix(ctx, "github.com/") || strings.HasSuffix(ctx, ".git")
}

// NeedsForBuild returns what a service built from a Dockerfile needs: the
// knowledge of the final stage's base image, when the image the service
// names is unknown. Dockerfile VOLUMEs become anonymous mount points for
// Apply. note says what was read or why nothing could be ("" when there
// was nothing to read).
func (p Policy) NeedsForBuild(service string, n Needs, b Build) (Needs, []MountPoint, string, string) {
	fb, ok, err := p.ReadBuild(b)
	if err != nil {
		return n, nil, "", fmt.Sprintf("rofix knows nothing of the image of service %s and its Dockerfile could not be read (%v): only the defaults apply", service, err)
	}
	if !ok {
		return n, nil, "", ""
	}
	var mounts []MountPoint
	for _, v := range fb.Final.Volumes {
		if strings.HasPrefix(v, "/") && !strings.Contains(v, "$") {
			mounts = append(mounts, MountPoint{Target: v, Anonymous: true, Ref: -1})
		}
	}
	if fb.Final.Base == "" {
		return n, mounts, fb.Final.User, ""
	}
	base := p.NeedsFor(service, fb.Final.Base)
	if !base.Known() {
		n.Image = fb.Final.Base // for Judge: a Windows base, say
		return n, mounts, fb.Final.User, ""
	}
	base.Image = fb.Final.Base
	return base, mounts, fb.Final.User, fmt.Sprintf("service %s is built from %s (%s): rofix applies what it knows of that image", service, fb.Final.Base, fb.Path)
}
