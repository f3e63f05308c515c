package policy

// This file decides whether a bind mount's source is a single file, which
// --ro-mounts=auto makes read-only. A dot in a name does not make a file:
// /etc/cni/net.d, /var/lib/kubelet/plugins/pd.csi.storage.gke.io and
// ./ci/certbot/post-setup.d are directories their containers write.

import (
	"path"
	"strings"
)

// A PathKind is what a host path is known to be.
type PathKind int

// The kinds of a path.
const (
	PathUnknown PathKind = iota
	PathFile
	PathDir
)

// fileExtensions are the extensions of files mounted alone: configuration,
// certificates and keys, scripts and templates. A name with another
// extension ("pd.csi.storage.gke.io", "app.v2") is not taken for a file.
var fileExtensions = []string{
	// configuration
	".conf", ".cnf", ".cfg", ".config", ".ini", ".toml", ".yaml", ".yml",
	".json", ".json5", ".xml", ".properties", ".env", ".hcl", ".rules",
	".htpasswd", ".vcl", ".list", ".repo", ".lic",
	// certificates and keys
	".pem", ".crt", ".cer", ".cert", ".key", ".pub", ".p12", ".pfx",
	".jks", ".csr", ".der", ".crl", ".keytab", ".asc", ".gpg",
	".cf", ".ldif", ".acl", ".sieve", ".map",
	// scripts, templates, content
	".sh", ".bash", ".py", ".rb", ".js", ".mjs", ".lua", ".pl", ".php",
	".sql", ".tpl", ".tmpl", ".template", ".j2", ".txt", ".md", ".csv",
	".html", ".css", ".ico", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp",
}

// isFileSource reports whether a bind's source is a single file: its kind
// as the mount declares it (a Kubernetes hostPath type: File); else the
// mount's own syntax (a trailing "/" is a directory); else, for a path
// inside the tree, what the tree holds there (Policy.Stat); else its name:
// a ".d" directory is none, a name ending in one of fileExtensions is one.
func (p Policy) isFileSource(m Mount) bool {
	switch m.Kind {
	case PathFile:
		return true
	case PathDir:
		return false
	}
	src := strings.ReplaceAll(m.Source, `\`, "/")
	if strings.HasSuffix(src, "/") {
		return false
	}
	if rel, ok := treePath(src); ok && p.Stat != nil {
		switch p.Stat(rel) {
		case PathFile:
			return true
		case PathDir:
			return false
		}
	}
	base := lastElement(src)
	if strings.ContainsAny(base, "${}") || strings.HasSuffix(base, ".d") {
		return false
	}
	ext := strings.ToLower(path.Ext(strings.TrimLeft(base, ".")))
	for _, e := range fileExtensions {
		if ext == e {
			return true
		}
	}
	return false
}

// treePath returns a relative bind source as a slash-separated path
// relative to the processed file's directory ("./conf/app" is
// "conf/app"); ok is false for absolute, home-relative and variable paths.
func treePath(src string) (string, bool) {
	if src == "" || path.IsAbs(src) || strings.HasPrefix(src, "~") || strings.ContainsAny(src, "${}:") {
		return "", false
	}
	rel := path.Clean(src)
	return rel, rel != "."
}
