package unit

import (
	"strings"

	"github.com/rofix/rofix/rewrite/embed"
	"github.com/rofix/rofix/rewrite/encoding"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// execKeys are the settings of [Service] whose commands rofix hardens: every
// Exec*= setting systemd runs, since a docker/podman run in any of them
// starts a container (a sidecar in ExecStartPost=, a check in
// ExecCondition=, a cleanup job in ExecStopPost=). Their other commands
// (docker stop, rm, pull) are not run commands: the shell engine leaves them.
var execKeys = map[string]bool{
	"ExecCondition": true, "ExecStartPre": true, "ExecStart": true, "ExecStartPost": true,
	"ExecReload": true, "ExecStop": true, "ExecStopPost": true,
}

// PlanService hardens the docker/podman run commands of a systemd service
// unit's Exec*= lines (execKeys) with the shell engine. A
// command's text is taken from after its prefixes (-, @, :, +, !) to the end
// of its logical line; a backslash at a line end continues it, as in shell.
// A rofix:ignore comment on the line above a setting applies to it.
func PlanService(name string, src []byte, pol policy.Policy) (*finding.Plan, error) {
	if err := encoding.Check(src, false); err != nil {
		return nil, err
	}
	u := parseUnit(src)
	if u.ignoreFile {
		plan := &finding.Plan{}
		plan.Add(finding.Directive, u.ignoreAt, u.ignoreAt, false, "rofix:ignore-file: file skipped")
		return plan, nil
	}
	return embed.Plan(name, src, pol, extractService)
}

// extractService returns the commands of the Exec*= settings of [Service]
// (execKeys) that mention a container engine.
func extractService(src []byte) ([]*embed.Snippet, error) {
	u := parseUnit(src)
	var out []*embed.Snippet
	for _, e := range u.entries {
		if e.section != "Service" || !execKeys[e.key] || e.commentInside {
			continue
		}
		start := e.valStart
		for start < e.valEnd && strings.IndexByte("-@:+!", src[start]) >= 0 {
			start++
		}
		text := string(src[start:e.valEnd])
		if !mentionsEngine(text) {
			continue
		}
		sn := &embed.Snippet{Escape: escapeSpecifiers}
		if e.hasAbove {
			end, next := lineBounds(src, e.aboveAt)
			sn.Verbatim(src, e.aboveAt, end)
			sn.Synthetic("\n", next)
		}
		sn.Verbatim(src, start, e.valEnd)
		out = append(out, sn)
	}
	return out, nil
}

// mentionsEngine is a quick filter: a command that names no engine has
// nothing to harden.
func mentionsEngine(cmd string) bool {
	for _, w := range []string{"docker", "podman", "nerdctl"} {
		if strings.Contains(cmd, w) {
			return true
		}
	}
	return false
}

// escapeSpecifiers doubles "%": systemd reads "%x" as a specifier.
func escapeSpecifiers(text string) (string, error) {
	return strings.ReplaceAll(text, "%", "%%"), nil
}
