package compose

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/policy"
)

// volumes_from gives a service the volumes of another, with their modes:
// a :ro added to the other's bind would make it read-only for this one
// too, and a tmpfs added here could hide one of them. This file reads
// volumes_from for both sides.

// volumesFromSources returns the services a volumes_from value names
// (NAME or NAME:ro|rw; container:NAME entries are containers outside the
// file and are left out).
func volumesFromSources(v *yaml.Node) []string {
	if v == nil {
		return nil
	}
	var out []string
	for _, item := range seqItems(v) {
		if item.Kind != yaml.ScalarNode || strings.HasPrefix(item.Value, "container:") {
			continue
		}
		out = append(out, policy.VolumesFromName(item.Value))
	}
	return out
}

// volumesFromOf maps each service whose volumes another service of the
// mapping takes to the first such service.
func volumesFromOf(services *yaml.Node) map[string]string {
	var out map[string]string
	for i := 0; i+1 < len(services.Content); i += 2 {
		k, v := services.Content[i], services.Content[i+1]
		if v.Kind != yaml.MappingNode {
			continue
		}
		_, from := lookup(v, "volumes_from")
		for _, name := range volumesFromSources(from) {
			if out == nil {
				out = map[string]string{}
			}
			if _, ok := out[name]; !ok {
				out[name] = k.Value
			}
		}
	}
	return out
}

// inheritedMounts returns the mount targets a service takes from the
// services its volumes_from names, with the nodes that declare them.
func (p *planner) inheritedMounts(svc *service) (targets []string, nodes []*yaml.Node) {
	_, from, _ := svc.winning("volumes_from")
	if from == nil || p.svcs == nil {
		return nil, nil
	}
	for _, name := range volumesFromSources(from) {
		_, src := lookup(p.svcs, name)
		if src == nil || src.Kind != yaml.MappingNode {
			continue
		}
		_, vols := lookup(src, "volumes")
		if vols == nil {
			continue
		}
		for _, item := range seqItems(vols) {
			switch item.Kind {
			case yaml.ScalarNode:
				if vol, ok := policy.ParseVolume(item.Value); ok {
					targets, nodes = append(targets, vol.Target), append(nodes, item)
				}
			case yaml.MappingNode:
				if _, t := lookup(item, "target"); t != nil && t.Kind == yaml.ScalarNode {
					targets, nodes = append(targets, t.Value), append(nodes, t)
				}
			}
		}
	}
	return targets, nodes
}
