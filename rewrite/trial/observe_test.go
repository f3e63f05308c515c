package trial

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestParseContainers reads what the engines printed for the project of
// testdata/inspect/compose.yaml (see the README there): service web
// running hardened with a healthcheck, service job exited 0, and a
// one-off container of "compose run", which a trial leaves out. Docker's
// inspect, podman's through its Docker API, and podman's own CLI say the
// same, except that podman mounts /run, /tmp and /var/tmp itself on a
// read-only root, and podman's CLI says which capabilities each runs with
// (its default set there, NET_RAW, MKNOD and AUDIT_WRITE included).
func TestParseContainers(t *testing.T) {
	job := container{Name: "rofixut-insp-job-1", Service: "job", Status: "exited"}
	web := container{
		Name: "rofixut-insp-web-1", Service: "web", Status: "running",
		Health: "healthy", HasHealthcheck: true, ReadOnly: true, NoNewPrivs: true,
		Tmpfs: []string{"/tmp"},
	}
	podmanWeb := web
	podmanWeb.Tmpfs = []string{"/run", "/tmp", "/var/tmp"}
	startingWeb := podmanWeb
	startingWeb.Health = "starting"
	podmanCaps := []string{"CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"}
	cliJob, cliWeb := job, podmanWeb
	cliJob.EffectiveCaps, cliWeb.EffectiveCaps = podmanCaps, podmanCaps
	unhealthyWeb := web
	unhealthyWeb.Health = "unhealthy"
	cases := []struct {
		file string
		want []container
		// states are what classify says of each service.
		states map[string]string
	}{
		{"docker.json", []container{job, web}, map[string]string{"job": "exited 0", "web": "healthy"}},
		{"podman-api.json", []container{job, podmanWeb}, map[string]string{"job": "exited 0", "web": "healthy"}},
		{"podman-cli.json", []container{cliJob, cliWeb}, map[string]string{"job": "exited 0", "web": "healthy"}},
		// podman runs healthchecks from systemd timers only: here, before
		// "podman healthcheck run", the health is still starting.
		{"podman-api-starting.json", []container{job, startingWeb}, map[string]string{"job": "exited 0", "web": ""}},
		// The healthcheck's program is not in the image: unhealthy.
		{"docker-unhealthy.json", []container{job, unhealthyWeb}, map[string]string{"job": "exited 0", "web": "unhealthy failed"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "inspect", c.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseContainers(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d containers, want %d: %+v", len(got), len(c.want), got)
			}
			for i, w := range c.want {
				g := got[i]
				if len(g.ID) != 64 || strings.Trim(g.ID, "0123456789abcdef") != "" {
					t.Errorf("%s: ID %q, want the full hex id", g.Name, g.ID)
				}
				if !slices.Contains(g.Mounts, "/tmp") && w.Service == "web" {
					t.Errorf("%s: mounts %q lack the tmpfs /tmp", g.Name, g.Mounts)
				}
				g.ID, g.Mounts = "", nil
				if fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", w) {
					t.Errorf("container %d:\ngot  %+v\nwant %+v", i, g, w)
				}
			}
			for _, g := range got {
				state, failed := classify([]container{g})
				if failed {
					state += " failed"
				}
				if state != c.states[g.Service] {
					t.Errorf("classify(%s) = %q, want %q", g.Service, state, c.states[g.Service])
				}
			}
		})
	}
}

// TestParseContainersVariants: the spellings of the same facts that
// engines and versions print, on hand-written inspect output.
func TestParseContainersVariants(t *testing.T) {
	cases := []struct {
		name, json string
		want       container
	}{
		{"podman's no-new-privileges without a value; docker's with :true or =1",
			`[{"Name":"/a","HostConfig":{"SecurityOpt":["label=disable","no-new-privileges"]}},
			  {"Name":"/b","HostConfig":{"SecurityOpt":["no-new-privileges:true"]}},
			  {"Name":"/c","HostConfig":{"SecurityOpt":["no-new-privileges=1"]}}]`,
			container{NoNewPrivs: true}},
		{"no-new-privileges switched off is off",
			`[{"Name":"/a","HostConfig":{"SecurityOpt":["no-new-privileges:false"]}},
			  {"Name":"/b","HostConfig":{"SecurityOpt":["no-new-privileges=false","seccomp=unconfined"]}}]`,
			container{}},
		{"a healthcheck disabled in the file (NONE) is none",
			`[{"Name":"/a","Config":{"Healthcheck":{"Test":["NONE"]}}}]`,
			container{}},
		{"podman 4's Healthcheck state key",
			`[{"Name":"/a","State":{"Status":"running","Healthcheck":{"Status":"healthy"}},"Config":{"Healthcheck":{"Test":["CMD-SHELL","true"]}}}]`,
			container{Status: "running", Health: "healthy", HasHealthcheck: true}},
		{"a tmpfs mount of the long syntax counts as a tmpfs, once",
			`[{"Name":"/a","HostConfig":{"Tmpfs":{"/run":""}},"Mounts":[{"Type":"tmpfs","Destination":"/var/cache/x"},{"Type":"tmpfs","Destination":"/run"},{"Type":"volume","Destination":"/data"}]}]`,
			container{Tmpfs: []string{"/run", "/var/cache/x"}}},
		{"restarts counted",
			`[{"Name":"/a","State":{"Status":"running"},"RestartCount":3}]`,
			container{Status: "running", Restarts: 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseContainers([]byte(c.json))
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range got {
				g.Name, g.Mounts = "", nil
				if fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", c.want) {
					t.Errorf("got  %+v\nwant %+v", g, c.want)
				}
			}
		})
	}
	t.Run("one-off containers of compose run are left out, whatever the case of the label", func(t *testing.T) {
		got, err := parseContainers([]byte(`[
			{"Name":"/p-job-run-1","Config":{"Labels":{"com.docker.compose.oneoff":"True","com.docker.compose.service":"job"}}},
			{"Name":"/p-job-run-2","Config":{"Labels":{"com.docker.compose.oneoff":"true","com.docker.compose.service":"job"}}},
			{"Name":"/p-web-2","Config":{"Labels":{"com.docker.compose.oneoff":"False","com.docker.compose.service":"web"}}},
			{"Name":"/p-web-1","Config":{"Labels":{"com.docker.compose.service":"web"}}}]`))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, g := range got {
			names = append(names, g.Name)
		}
		if !slices.Equal(names, []string{"p-web-1", "p-web-2"}) {
			t.Errorf("got %q, want p-web-1, p-web-2 (sorted, without the one-offs)", names)
		}
	})
	if _, err := parseContainers([]byte("Error: no such container")); err == nil {
		t.Error("text that is not JSON: no error")
	}
}

// TestClassify is the spec of where a service's containers are: a good
// final state, a failure, or on the way (both results empty).
func TestClassify(t *testing.T) {
	running := container{Status: "running"}
	healthy := container{Status: "running", HasHealthcheck: true, Health: "healthy"}
	starting := container{Status: "running", HasHealthcheck: true, Health: "starting"}
	noHealthYet := container{Status: "running", HasHealthcheck: true}
	exited0 := container{Status: "exited"}
	cases := []struct {
		name   string
		cs     []container
		state  string
		failed bool
	}{
		{"no container", nil, stateNotThere, true},
		{"exited 0: a job done", []container{exited0}, stateExited0, false},
		{"podman's stopped with 0", []container{{Status: "stopped"}}, stateExited0, false},
		{"exited 1", []container{{Status: "exited", ExitCode: 1}}, "exited 1", true},
		{"killed by the OOM killer", []container{{Status: "exited", ExitCode: 137}}, "exited 137", true},
		{"dead with an exit code", []container{{Status: "dead", ExitCode: 255}}, "exited 255", true},
		{"restarting", []container{{Status: "restarting", ExitCode: 1}}, "restarted", true},
		{"running again after a restart", []container{{Status: "running", Restarts: 1}}, "restarted", true},
		{"unhealthy", []container{{Status: "running", HasHealthcheck: true, Health: "unhealthy"}}, "unhealthy", true},
		{"health starting: on the way", []container{starting}, "", false},
		{"a healthcheck not run yet: on the way", []container{noHealthYet}, "", false},
		{"created, not started: on the way", []container{{Status: "created"}}, "", false},
		{"healthy", []container{healthy}, stateHealthy, false},
		{"running without a healthcheck", []container{running}, stateRunning, false},
		{"replicas all healthy", []container{healthy, healthy}, stateHealthy, false},
		{"replicas, one still starting: on the way", []container{healthy, starting}, "", false},
		{"replicas, one unhealthy: failed", []container{healthy, {Status: "running", HasHealthcheck: true, Health: "unhealthy"}}, "unhealthy", true},
		{"replicas, one exited 2: failed", []container{running, {Status: "exited", ExitCode: 2}}, "exited 2", true},
		{"replicas, one restarted: failed", []container{running, {Status: "running", Restarts: 2}}, "restarted", true},
		{"replicas exited 0 and healthy: healthy", []container{exited0, healthy}, stateHealthy, false},
		{"replicas running and healthy: running", []container{healthy, running}, stateRunning, false},
		{"replicas exited 0 and running: running", []container{exited0, running}, stateRunning, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			state, failed := classify(c.cs)
			if state != c.state || failed != c.failed {
				t.Errorf("classify = %q, %v; want %q, %v", state, failed, c.state, c.failed)
			}
		})
	}
}
