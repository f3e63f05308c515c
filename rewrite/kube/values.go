package kube

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// isAppendable reports whether yamledit can append to a collection: a
// non-empty block one or a flow one.
func isAppendable(n *yaml.Node) bool {
	return (n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode) && (len(n.Content) > 0 || n.Style&yaml.FlowStyle != 0)
}

// isList reports whether n is a sequence yamledit can append to.
func isList(n *yaml.Node) bool { return n.Kind == yaml.SequenceNode && isAppendable(n) }

// boolOf reads a boolean as Kubernetes' YAML reader does (YAML 1.1: yes,
// on, true ...). A missing node is Absent; anything else Dynamic.
func boolOf(n *yaml.Node) policy.Tri {
	if n == nil {
		return policy.Absent
	}
	if n.Kind != yaml.ScalarNode || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		return policy.Dynamic
	}
	switch n.Value {
	case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y":
		return policy.On
	case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N":
		return policy.Off
	}
	return policy.Dynamic
}

// addsSysAdmin reports whether a securityContext adds CAP_SYS_ADMIN.
func addsSysAdmin(sc *yaml.Node) bool {
	_, caps := yamledit.Lookup(sc, "capabilities")
	_, add := yamledit.Lookup(caps, "add")
	if add == nil {
		return false
	}
	for _, c := range add.Content {
		if v := strings.ToUpper(c.Value); v == "SYS_ADMIN" || v == "CAP_SYS_ADMIN" || v == "ALL" {
			return true
		}
	}
	return false
}

// volumeName turns a path into a volume name: "/var/cache/nginx" becomes
// "var-cache-nginx".
func volumeName(p string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.Trim(p, "/")) {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		name = "scratch"
	}
	return name
}

// unique returns name, or name with a number, not yet taken, at most 63
// bytes (a DNS label).
func unique(name string, taken map[string]bool) string {
	if len(name) > 55 {
		name = strings.TrimRight(name[:55], "-")
	}
	if !taken[name] {
		return name
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("%s-%d", name, i); !taken[n] {
			return n
		}
	}
}
