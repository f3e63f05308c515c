package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// An independent set of real servers (testdata/realapps2), none of them in
// the first six, to show that rofix try was not made to measure for those:
// lighttpd, squid, tinyproxy, mosquitto and haproxy from Debian's
// packages, in one compose project.

// independentApps are the servers of testdata/realapps2/compose.yaml, each
// with its probe; written, when set, checks in the container that the
// server wrote its data volume.
var independentApps = []realApp{
	{name: "lighttpd", probe: httpGet(80), want: "200 OK"},
	// The cache manager's info page, through the proxy port.
	{name: "squid", probe: httpRequest(3128, "cache_object://localhost/info"), want: "Squid Object Cache",
		written: []string{"test", "-d", "/var/spool/squid/00"}},
	// tinyproxy's own statistics page (its StatHost), through the proxy.
	{name: "tinyproxy", probe: httpRequest(8888, "http://tinyproxy.stats/"), want: "200 Statistic requested"},
	{name: "mosquitto", probe: []string{"mosquitto_sub", "-h", "127.0.0.1", "-t", "$SYS/broker/version", "-C", "1", "-W", "10"}, want: "mosquitto version"},
	// The answer of haproxy.cfg's frontend.
	{name: "haproxy", probe: httpRequest(8080, "/"), want: "haproxy ok"},
}

// httpRequest is a probe that prints the whole answer of a server on a
// port to GET target (a path, or a URL for a proxy).
func httpRequest(port int, target string) []string {
	return []string{"bash", "-c", fmt.Sprintf(`exec 3<>/dev/tcp/127.0.0.1/%d; printf 'GET %s HTTP/1.0\r\n\r\n' >&3; timeout 10 cat <&3`, port, target)}
}

// independentImage is the second real-servers root filesystem, built once
// per run (and cached between runs).
var independentImage struct {
	once sync.Once
	tar  string
	err  error
}

// TestTryIndependentServers is TestTryRealServers on the independent set:
// on each engine, with the last compose (Docker Compose v5 where it is
// available), one "rofix try -w" with no .rofix.yaml beforehand exits 0
// with every service proven or withheld with its reason, and leaves nothing
// on the engine; the project it wrote, brought up by the test itself,
// answers every probe, and each proven service has a read-only root and
// NoNewPrivs 1.
func TestTryIndependentServers(t *testing.T) {
	h := need(t)
	if h.rofixErr != nil {
		t.Fatal(h.rofixErr)
	}
	if os.Getenv("ROFIX_E2E_REALAPPS") == "0" {
		t.Skip("ROFIX_E2E_REALAPPS=0")
	}
	independentImage.once.Do(func() {
		independentImage.tar, independentImage.err = h.debootstrapRootfs("realapps2")
	})
	if independentImage.err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(independentImage.err)
		}
		t.Skip(independentImage.err)
	}
	for _, ep := range h.endpoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel() // the engines are independent
			tag := "indep-" + h.id
			var names []string
			for _, app := range independentApps {
				names = append(names, app.name)
			}
			h.importRootfs(t, ep, independentImage.tar, "localhost/realapps2", tag, names)
			h.tryIndependentServers(t, ep, h.lastCompose(t, ep), tag)
		})
	}
}

func (h *harness) tryIndependentServers(t *testing.T, ep *endpoint, c composeImpl, tag string) {
	dir, tmp := t.TempDir(), t.TempDir()
	src := filepath.Join("testdata", "realapps2")
	for _, f := range []string{"compose.yaml", "haproxy.cfg", "squid-cache.conf"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		must(t, err)
		if f == "compose.yaml" {
			b = []byte(strings.ReplaceAll(string(b), ":TAG", ":"+tag))
		}
		must(t, os.WriteFile(filepath.Join(dir, f), b, 0o644))
	}
	t.Logf("rofix try with %s (%s)", c.name, strings.Join(c.argv, " "))
	h.started.Add(int64(2 * len(independentApps)))
	r := h.try(t, dir, tryEnv(c, tmp), "-w", "--settle", "5s")
	if r.code != 0 {
		t.Fatalf("rofix try -w: exit %d", r.code)
	}
	status := map[string]string{}
	for _, app := range independentApps {
		s := r.report.service(t, app.name)
		status[app.name] = s.Status
		t.Logf("%s: %s, %s (originally %s), read-only %v, no-new-privileges %v, tmpfs %v, repairs %v, reason %q",
			app.name, s.Status, s.State, s.Original, s.ReadOnly, s.NoNewPrivs, s.Tmpfs, s.Repairs, s.Reason)
		switch s.Status {
		case "proven":
			if !s.ReadOnly || !s.NoNewPrivs {
				t.Errorf("%s: proven, but read-only %v, no-new-privileges %v", app.name, s.ReadOnly, s.NoNewPrivs)
			}
		case "withheld":
			if strings.TrimSpace(s.Reason) == "" {
				t.Errorf("%s: withheld without a reason", app.name)
			}
		default:
			t.Errorf("%s: %s (%s), want proven or withheld with a reason", app.name, s.Status, s.Reason)
		}
	}
	h.tryLeftovers(t, ep, tmp)
	readWritten(t, dir)

	// The project as written, brought up by the test.
	p := h.newProject(t, ep, workspace{dir: dir}, "compose.yaml", "indep")
	ctx, cancel := context.WithTimeout(t.Context(), containerTimeout)
	defer cancel()
	h.started.Add(int64(len(independentApps)))
	if out, err := p.run(ctx, "up", "-d", "--no-color"); err != nil {
		t.Fatalf("compose up %s: %v\n%s", p.name, err, out)
	}
	for _, app := range independentApps {
		t.Run(app.name, func(t *testing.T) {
			if err := p.waitProbe(t, app); err != nil {
				t.Fatalf("as written by rofix try -w (%s): %v", status[app.name], err)
			}
			if app.written != nil {
				if out, err := p.exec(t, p.container(app.name), app.user, app.written...); err != nil {
					t.Errorf("the data volume was not written: %v\n%s", err, out)
				}
			}
			if status[app.name] != "proven" {
				return
			}
			ctr := p.container(app.name)
			if out, err := p.exec(t, ctr, "", "touch", "/rofix-e2e-root"); err == nil {
				t.Errorf("the root filesystem is writable (read-only missing): %s", out)
			} else if !strings.Contains(out, "Read-only file system") {
				t.Errorf("writing / failed, but not for a read-only root: %s", out)
			}
			if out, err := p.exec(t, ctr, "", "grep", "NoNewPrivs", "/proc/1/status"); err != nil || !slices.Equal(strings.Fields(out), []string{"NoNewPrivs:", "1"}) {
				t.Errorf("NoNewPrivs of the server: %q, want 1 (%v)", out, err)
			}
		})
	}
}
