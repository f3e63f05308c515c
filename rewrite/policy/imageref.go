package policy

// This file reads image references the way the table matches them:
// NormalizeImage, ParseImageRef and the patterns of an ImageEntry.

import "strings"

// hubRegistries are Docker Hub's names: a reference there is the same
// image without the registry.
var hubRegistries = []string{"docker.io", "index.docker.io", "registry-1.docker.io"}

// hubMirrors are public mirrors of Docker Hub's official images: the
// image under them is the same image as on Docker Hub. A registry not
// named here (a company's own, a Harbor "library" project) keeps its name:
// rofix cannot know that it holds the upstream image.
var hubMirrors = []string{"mirror.gcr.io", "public.ecr.aws/docker"}

// An ImageRef is a reference split for matching.
type ImageRef struct {
	// Name is the normalised repository: registry docker.io (and the
	// mirrors of hubMirrors), a leading library/, tag and digest removed,
	// lower-case. Other registries stay part of the name (ghcr.io/...).
	// Empty when the reference cannot be read statically.
	Name string
	// Tag is the tag, lower-case; "latest" when none is written; the
	// fixed text of a tag built from variables ("${V}-apache": "-apache").
	Tag string
}

// NormalizeImage returns the normalised name of an image reference (see
// ImageRef.Name): "docker.io/library/nginx:1.27@sha256:…" is "nginx".
func NormalizeImage(ref string) string { return ParseImageRef(ref).Name }

// ParseImageRef splits an image reference as written in a compose file or
// a run command. Variables are read safely: "${X:-nginx}" and "${X-nginx}"
// stand for their default; any other variable ($X, ${X}, ${X:?err}) in the
// repository makes the reference unknown (Name ""), in the tag it counts
// as empty text, so "php:${V}-apache" still reads as an apache tag.
func ParseImageRef(ref string) ImageRef {
	ref, ok := expand(strings.TrimSpace(ref))
	if !ok {
		return ImageRef{}
	}
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i] // the digest
	}
	repo, tag := splitTag(ref)
	if repo == "" || strings.ContainsRune(repo, unknown) {
		return ImageRef{}
	}
	switch {
	case strings.ContainsRune(tag, unknown):
		tag = strings.ReplaceAll(tag, string(unknown), "")
	case tag == "":
		tag = "latest"
	}
	name := stripRegistry(strings.ToLower(repo))
	if name == "" || strings.HasSuffix(name, "/") {
		return ImageRef{}
	}
	return ImageRef{Name: name, Tag: strings.ToLower(tag)}
}

// unknown marks where expand dropped a variable without a default.
const unknown = '\x00'

// splitTag splits "repo:tag" at the colon after the last slash; a colon
// before a slash is a registry's port ("localhost:5000/app").
func splitTag(ref string) (repo, tag string) {
	slash := strings.LastIndexByte(ref, '/')
	colon := strings.LastIndexByte(ref, ':')
	if colon <= slash {
		return ref, ""
	}
	return ref[:colon], ref[colon+1:]
}

// expand replaces ${X:-def} and ${X-def} by def (nested ones too) and
// every other variable ($X, ${X}, ${X:?err}, ${X:+alt}) by the unknown
// mark; ok is false when a ${ is not closed or $$ appears.
func expand(s string) (out string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		if s[i+1] == '$' { // an escaped $: not part of any valid reference
			return "", false
		}
		if s[i+1] != '{' {
			j := i + 1
			for j < len(s) && (isLetter(s[j]) || s[j] == '_' || '0' <= s[j] && s[j] <= '9') {
				j++
			}
			b.WriteRune(unknown)
			i = j - 1
			continue
		}
		end := closing(s, i+1)
		if end < 0 {
			return "", false
		}
		body := s[i+2 : end]
		k := strings.IndexAny(body, ":-?+=")
		switch {
		case k >= 0 && (strings.HasPrefix(body[k:], ":-") || body[k] == '-'):
			val, okDef := expand(strings.TrimPrefix(strings.TrimPrefix(body[k:], ":"), "-"))
			if !okDef {
				return "", false
			}
			b.WriteString(val)
		default:
			b.WriteRune(unknown)
		}
		i = end
	}
	return b.String(), true
}

// closing returns the index of the "}" that closes the "{" at open, or -1.
func closing(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// stripRegistry removes Docker Hub's registry names and mirrors, then a
// leading library/.
func stripRegistry(name string) string {
	first, rest, hasSlash := strings.Cut(name, "/")
	if hasSlash && (strings.ContainsAny(first, ".:") || first == "localhost") {
		hub := false
		for _, r := range hubRegistries {
			hub = hub || first == r
		}
		for _, m := range hubMirrors {
			if strings.HasPrefix(name, m+"/") {
				hub, rest = true, name[len(m)+1:]
			}
		}
		if !hub {
			return name
		}
		name = rest
	}
	return strings.TrimPrefix(name, "library/")
}

// matchPattern reports whether a table pattern matches ref, and how
// specific the match is (the count of literal characters; 0 for no match).
// A pattern is a normalised name where "*" matches any text ("bitnami/*"),
// optionally followed by ":" and a tag pattern ("php:*apache*"); a tag
// pattern after "!" matches the tags it does not ("php:!*apache*").
func matchPattern(pattern string, ref ImageRef) int {
	if ref.Name == "" {
		return 0
	}
	namePat, tagPat, hasTag := strings.Cut(strings.ToLower(pattern), ":")
	if !glob(namePat, ref.Name) {
		return 0
	}
	if hasTag {
		not := strings.HasPrefix(tagPat, "!")
		if glob(strings.TrimPrefix(tagPat, "!"), ref.Tag) == not {
			return 0
		}
	}
	return len(pattern) - strings.Count(pattern, "*") - strings.Count(pattern, "!")
}

// glob matches s against a pattern where "*" stands for any text.
func glob(pattern, s string) bool {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		return pattern == s
	}
	if !strings.HasPrefix(s, pattern[:star]) {
		return false
	}
	rest := pattern[star+1:]
	switch {
	case rest == "":
		return true
	case strings.IndexByte(rest, '*') < 0: // the last star: rest ends s
		return len(s)-star >= len(rest) && strings.HasSuffix(s, rest)
	}
	for i := star; i <= len(s); i++ {
		if glob(rest, s[i:]) {
			return true
		}
	}
	return false
}
