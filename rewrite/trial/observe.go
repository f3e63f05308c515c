package trial

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rofix/rofix/rewrite/learn"
	"github.com/rofix/rofix/rewrite/policy"
)

// A container is what a trial reads of one container of a project from
// the engine's inspect output.
type container struct {
	ID, Name, Service string
	Status            string // created, running, exited, restarting, dead, ...
	ExitCode          int
	Health            string // "" (no healthcheck), starting, healthy, unhealthy
	HasHealthcheck    bool
	Restarts          int
	ReadOnly          bool
	NoNewPrivs        bool
	Tmpfs             []string // tmpfs mount targets
	Mounts            []string // every mount target, tmpfs included
	// User is the user it was created with ("" for the image's);
	// CapAdd and CapDrop what it was created with; EffectiveCaps the
	// capabilities podman's inspect says it runs with (docker: nil).
	User                           string
	CapAdd, CapDrop, EffectiveCaps []string
}

// inspectJSON is the part of docker's and podman's inspect output a trial
// reads; podman 4 names the health state Healthcheck in some versions.
type inspectJSON struct {
	ID    string `json:"Id"`
	Name  string
	State struct {
		Status      string
		ExitCode    int
		Health      *struct{ Status string }
		Healthcheck *struct{ Status string }
	}
	RestartCount  int
	EffectiveCaps []string
	Config        struct {
		Labels      map[string]string
		Healthcheck *struct{ Test []string }
		User        string
	}
	HostConfig struct {
		ReadonlyRootfs  bool
		SecurityOpt     []string
		Tmpfs           map[string]string
		CapAdd, CapDrop []string
	}
	Mounts []struct{ Type, Destination string }
}

// parseContainers parses the JSON array "inspect" prints for containers,
// leaving out compose's one-off containers ("compose run").
func parseContainers(out []byte) ([]container, error) {
	var all []inspectJSON
	if err := json.Unmarshal(out, &all); err != nil {
		return nil, fmt.Errorf("inspect output: %v", err)
	}
	var cs []container
	for _, in := range all {
		if strings.EqualFold(in.Config.Labels["com.docker.compose.oneoff"], "true") {
			continue
		}
		c := container{
			ID: in.ID, Name: strings.TrimPrefix(in.Name, "/"), Service: in.Config.Labels[learn.LabelService],
			Status: in.State.Status, ExitCode: in.State.ExitCode, Restarts: in.RestartCount,
			ReadOnly: in.HostConfig.ReadonlyRootfs,
			User:     in.Config.User, CapAdd: in.HostConfig.CapAdd, CapDrop: in.HostConfig.CapDrop,
			EffectiveCaps: in.EffectiveCaps,
		}
		for _, h := range []*struct{ Status string }{in.State.Health, in.State.Healthcheck} {
			if h != nil && h.Status != "" {
				c.Health = h.Status
			}
		}
		hc := in.Config.Healthcheck
		c.HasHealthcheck = hc != nil && len(hc.Test) > 0 && hc.Test[0] != "NONE"
		for _, o := range in.HostConfig.SecurityOpt {
			// docker keeps "no-new-privileges:true", podman "no-new-privileges"
			if policy.NoNewPrivileges(strings.Replace(o, "=", ":", 1)) == policy.On || policy.NoNewPrivileges(o) == policy.On {
				c.NoNewPrivs = true
			}
		}
		for p := range in.HostConfig.Tmpfs {
			c.Tmpfs = append(c.Tmpfs, p)
		}
		for _, m := range in.Mounts {
			if m.Type == "tmpfs" && !slices.Contains(c.Tmpfs, m.Destination) {
				c.Tmpfs = append(c.Tmpfs, m.Destination)
			}
			c.Mounts = append(c.Mounts, m.Destination)
		}
		sort.Strings(c.Tmpfs)
		c.Mounts = append(c.Mounts, c.Tmpfs...)
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs, nil
}

// containers returns the containers of a project, by its compose label.
func (t *trial) containers(ctx context.Context, project string) ([]container, error) {
	out, err := t.engine.Output(ctx, "ps", "-a", "-q", "--no-trunc", "--filter", "label="+learn.LabelProject+"="+project)
	if err != nil {
		return nil, err
	}
	ids := strings.Fields(string(out))
	if len(ids) == 0 {
		return nil, nil
	}
	out, err = t.engine.Output(ctx, append([]string{"container", "inspect"}, ids...)...)
	if err != nil {
		return nil, err
	}
	return parseContainers(out)
}

// The states a service reaches (State of an Observation).
const (
	stateExited0  = "exited 0"
	stateHealthy  = "healthy"
	stateRunning  = "running"
	stateNotThere = "no container"
)

// An Observation is what a service did in one run.
type Observation struct {
	// State is the state it reached (healthy, running, exited 0) or why
	// it failed (exited 1, unhealthy, restarted, no container, ...).
	State string
	// OK is true when it reached a good state and held it.
	OK bool
	// Since is when it was first seen in its state; Seconds how long it
	// was observed in the run.
	Since   time.Time
	Seconds float64
	// Containers are the service's containers, as last inspected.
	Containers []container
}

// classify says where a service's containers are: a final good state, a
// failure ("" ok), or still on the way (both empty).
func classify(cs []container) (state string, failed bool) {
	if len(cs) == 0 {
		return stateNotThere, true
	}
	exited, healthy, running := 0, 0, 0
	for _, c := range cs {
		switch {
		case c.Restarts > 0 || c.Status == "restarting":
			return "restarted", true
		case c.Status == "exited" || c.Status == "dead" || c.Status == "stopped":
			if c.ExitCode != 0 {
				return fmt.Sprintf("exited %d", c.ExitCode), true
			}
			exited++
		case c.Health == "unhealthy":
			return "unhealthy", true
		case c.Status == "running" && c.Health == "healthy":
			healthy++
		case c.Status == "running" && !c.HasHealthcheck:
			running++
		}
	}
	switch {
	case exited == len(cs):
		return stateExited0, false
	case healthy+exited == len(cs) && healthy > 0:
		return stateHealthy, false
	case running+healthy+exited == len(cs) && running > 0:
		return stateRunning, false
	}
	return "", false
}

// watch polls a project's containers until every service has reached a
// good state and held it for hold (a running service without a
// healthcheck counts once it has run for settle), or failed, or ctx ends.
// services lists the services to wait for (nil: those the project has).
func (t *trial) watch(ctx context.Context, project string, services []string, hold time.Duration) (map[string]*Observation, error) {
	begin := time.Now()
	obs := map[string]*Observation{}
	for _, s := range services {
		obs[s] = &Observation{}
	}
	lastHealth := time.Time{}
	for {
		cs, err := t.containers(ctx, project)
		if err != nil {
			return nil, err
		}
		by := map[string][]container{}
		for _, c := range cs {
			by[c.Service] = append(by[c.Service], c)
			if _, ok := obs[c.Service]; !ok && services == nil {
				obs[c.Service] = &Observation{}
			}
		}
		now := time.Now()
		done := true
		for name, o := range obs {
			o.Containers = by[name]
			o.Seconds = now.Sub(begin).Seconds()
			if o.State != "" && !o.OK {
				continue // failed: stays failed
			}
			state, failed := classify(by[name])
			switch {
			case failed && (state != stateNotThere || now.Sub(begin) > t.settle):
				o.State, o.OK = state, false
				continue
			case state == "" || failed:
				o.State, o.OK = "", false
				done = false
				continue
			}
			if o.State != state {
				o.State, o.Since = state, now
			}
			o.OK = true
			need := hold
			if state == stateRunning && need < t.settle {
				need = t.settle
			}
			if state != stateExited0 && now.Sub(o.Since) < need {
				done = false
			}
		}
		if done && len(obs) > 0 {
			return obs, nil
		}
		if now.Sub(lastHealth) >= 2*time.Second {
			t.runHealthchecks(ctx, cs)
			lastHealth = now
		}
		select {
		case <-ctx.Done():
			for _, o := range obs {
				if !o.OK || o.State == "" {
					o.OK = false
					if o.State == "" {
						o.State = "not ready in time"
						if h := health(o.Containers); h != "" {
							o.State = "still " + h + " in time"
						}
					}
				}
			}
			return obs, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// health returns the health state of the first container that has one.
func health(cs []container) string {
	for _, c := range cs {
		if c.Health != "" {
			return c.Health
		}
	}
	return ""
}

// runHealthchecks runs the healthchecks of starting containers on podman,
// which runs them from systemd timers only: without systemd (a container,
// CI) they never run by themselves.
func (t *trial) runHealthchecks(ctx context.Context, cs []container) {
	if t.podmanCLI == "" {
		return
	}
	for _, c := range cs {
		if c.HasHealthcheck && c.Status == "running" && c.Health != "healthy" {
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			cmd := exec.CommandContext(cctx, t.podmanCLI, "healthcheck", "run", c.ID)
			cmd.Env = t.engine.Env
			_ = cmd.Run() // unhealthy is read from inspect
			cancel()
		}
	}
}
