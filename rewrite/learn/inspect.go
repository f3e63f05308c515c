package learn

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// A Change is one line of the engine's diff: Kind is 'A' (added), 'C'
// (changed) or 'D' (deleted).
type Change struct {
	Kind byte
	Path string
}

// ParseDiff parses the output of "docker diff" or "podman diff": one
// "K /path" line per change.
func ParseDiff(out string) ([]Change, error) {
	var cs []Change
	for i, line := range strings.Split(out, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			continue
		}
		k, p, ok := strings.Cut(line, " ")
		if !ok || len(k) != 1 || !strings.Contains("ACD", k) || !strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("diff line %d: want \"A|C|D /path\", got %q", i+1, line)
		}
		cs = append(cs, Change{Kind: k[0], Path: p})
	}
	return cs, nil
}

// A Container is what learn needs of an engine's inspect output.
type Container struct {
	// Name is the container's name, without Docker's leading slash.
	Name string
	// Image is the image reference the container was created from.
	Image string
	// User is the configured user ("" for the image's default).
	User string
	// ImageID identifies the container's image ("" when inspect lacks it).
	ImageID string
	// Volumes are the container's declared volume paths (data
	// locations): the image's VOLUMEs and the volumes given at create.
	Volumes []string
	// ImageVolumes are the VOLUMEs the image itself declares, from the
	// image's inspect output: they stay writable under a read-only root
	// (an anonymous volume) even when the user mounts nothing there.
	ImageVolumes []string
	// Mounts are the mount destinations: binds, volumes and tmpfs.
	Mounts []Mount
	// Project and Service are the compose project and service that made
	// the container, from its compose labels ("" when compose did not).
	Project, Service string
}

// The labels compose (v1 and v2+) puts on the containers it makes.
const (
	LabelProject = "com.docker.compose.project"
	LabelService = "com.docker.compose.service"
)

// A Mount is one mount of a container.
type Mount struct {
	// Type is "bind", "volume" or "tmpfs".
	Type string
	// Destination is the path in the container.
	Destination string
}

// inspectJSON is the subset of docker's and podman's inspect output that
// learn reads; the two agree on these fields except the image name.
type inspectJSON struct {
	Name      string
	Image     string // the image's id
	ImageName string // podman
	Config    struct {
		Image   string
		User    string
		Volumes map[string]struct{}
		Labels  map[string]string
	}
	Mounts []struct {
		Type        string
		Destination string
	}
	HostConfig struct {
		Tmpfs map[string]string
	}
}

// ParseImageVolumes parses the JSON object (or null) that
// "docker image inspect --format '{{json .Config.Volumes}}'" prints: the
// image's declared VOLUMEs, sorted.
func ParseImageVolumes(out []byte) ([]string, error) {
	var vols map[string]struct{}
	if err := json.Unmarshal(out, &vols); err != nil {
		return nil, fmt.Errorf("image inspect output: %v", err)
	}
	var paths []string
	for v := range vols {
		paths = append(paths, v)
	}
	sort.Strings(paths)
	return paths, nil
}

// ParseInspect parses the JSON array "docker inspect" or "podman inspect"
// prints for one container.
func ParseInspect(out []byte) (Container, error) {
	var all []inspectJSON
	if err := json.Unmarshal(out, &all); err != nil {
		return Container{}, fmt.Errorf("inspect output: %v", err)
	}
	if len(all) != 1 {
		return Container{}, fmt.Errorf("inspect output: want one container, got %d", len(all))
	}
	in := all[0]
	c := Container{
		Name:  strings.TrimPrefix(in.Name, "/"),
		Image: in.Config.Image,
		User:  in.Config.User,
	}
	c.ImageID = in.Image
	if in.ImageName != "" {
		c.Image = in.ImageName
	}
	if c.Image == "" {
		return Container{}, fmt.Errorf("inspect output: container %s has no image name", c.Name)
	}
	c.Project, c.Service = in.Config.Labels[LabelProject], in.Config.Labels[LabelService]
	seen := map[string]bool{}
	binds := map[string]bool{}
	for _, m := range in.Mounts {
		c.Mounts = append(c.Mounts, Mount{Type: m.Type, Destination: m.Destination})
		seen[m.Destination] = true
		if m.Type == "bind" {
			binds[m.Destination] = true
		}
	}
	// docker-compose 1 lists every mount target under Config.Volumes, bind
	// mounts included: a bind mount is the user's directory, not a data
	// location of the image.
	for v := range in.Config.Volumes {
		if !binds[v] {
			c.Volumes = append(c.Volumes, v)
		}
	}
	sort.Strings(c.Volumes)
	var tmpfs []string
	for p := range in.HostConfig.Tmpfs {
		if !seen[p] {
			tmpfs = append(tmpfs, p)
		}
	}
	sort.Strings(tmpfs)
	for _, p := range tmpfs {
		c.Mounts = append(c.Mounts, Mount{Type: "tmpfs", Destination: p})
	}
	return c, nil
}
