package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// capBits are the bit numbers of the capabilities in /proc/PID/status's
// masks (linux/capability.h).
var capBits = map[string]uint{
	"CHOWN": 0, "DAC_OVERRIDE": 1, "DAC_READ_SEARCH": 2, "FOWNER": 3, "FSETID": 4, "KILL": 5,
	"SETGID": 6, "SETUID": 7, "SETPCAP": 8, "LINUX_IMMUTABLE": 9, "NET_BIND_SERVICE": 10,
	"NET_BROADCAST": 11, "NET_ADMIN": 12, "NET_RAW": 13, "IPC_LOCK": 14, "IPC_OWNER": 15,
	"SYS_MODULE": 16, "SYS_RAWIO": 17, "SYS_CHROOT": 18, "SYS_PTRACE": 19, "SYS_PACCT": 20,
	"SYS_ADMIN": 21, "SYS_BOOT": 22, "SYS_NICE": 23, "SYS_RESOURCE": 24, "SYS_TIME": 25,
	"SYS_TTY_CONFIG": 26, "MKNOD": 27, "LEASE": 28, "AUDIT_WRITE": 29, "AUDIT_CONTROL": 30,
	"SETFCAP": 31,
}

// privService is the part of a service's report rofix try gives with the
// rules non-root and cap-drop on.
type privService struct {
	Name, Status string
	RunAs        string `json:"run_as"`
	NeedsRoot    string `json:"needs_root"`
	NoCapDrop    string `json:"no_cap_drop"`
	PrivRounds   int    `json:"privilege_rounds"`
	Caps         *struct {
		Kept, Removed []string
		Evidence      map[string]string
	}
	User       string
	CapDrop    []string `json:"cap_drop"`
	CapAdd     []string `json:"cap_add"`
	ReadOnly   bool     `json:"read_only"`
	NoNewPrivs bool     `json:"no_new_privileges"`
}

// TestTryRealServersPrivileges proves the opt-in rules on the six real
// servers, on each engine with one compose (docker-compose 1, to keep the
// time down): "rofix try -w --enable cap-drop,non-root" reports all six
// proven, each with a user it was proven to run as or the reason it
// starts as root, and the capabilities it keeps (every kept one with the
// log line of the round without it). The project as written, brought up
// by the test, answers every probe with cap_drop ALL in force (the
// server's bounding set holds only what the report kept, never NET_RAW,
// MKNOD or AUDIT_WRITE), a read-only root and NoNewPrivs 1, as the user
// the report names. A second "rofix try -w" changes no file.
func TestTryRealServersPrivileges(t *testing.T) {
	h := needRealapps(t)
	for _, ep := range h.endpoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel() // the engines are independent
			tag := "trypriv-" + h.id
			h.importRealapps(t, ep, tag)
			h.tryRealServersPrivileges(t, ep, h.composeImpls(t, ep)[0], tag)
		})
	}
}

func (h *harness) tryRealServersPrivileges(t *testing.T, ep *endpoint, c composeImpl, tag string) {
	dir, tmp := t.TempDir(), t.TempDir()
	file := writeRealappsCompose(t, dir, tag)
	env := tryEnv(c, tmp)
	begin := time.Now()
	r, report := h.tryPriv(t, dir, env)
	t.Logf("%s: rofix try -w --enable cap-drop,non-root took %s, %d hardened rounds, %d privilege rounds", ep.name, time.Since(begin).Round(time.Second), r.report.Rounds, privRounds(report))
	if r.code != 0 {
		t.Fatalf("rofix try -w --enable cap-drop,non-root: exit %d", r.code)
	}
	byName := map[string]privService{}
	for _, s := range report {
		byName[s.Name] = s
		kept := "-"
		if s.Caps != nil {
			kept = strings.Join(s.Caps.Kept, ",")
		}
		t.Logf("%s %s: user %q (needs root: %q), caps kept [%s], %d rounds", ep.name, s.Name, s.RunAs, s.NeedsRoot, kept, s.PrivRounds)
	}
	for _, app := range realApps {
		s, ok := byName[app.name]
		switch {
		case !ok:
			t.Errorf("%s: not in the report", app.name)
			continue
		case s.Status != "proven" || !s.ReadOnly || !s.NoNewPrivs:
			t.Errorf("%s: %s (read-only %v, no-new-privileges %v), want proven read-only with no-new-privileges", app.name, s.Status, s.ReadOnly, s.NoNewPrivs)
		case s.RunAs == "" && s.NeedsRoot == "":
			t.Errorf("%s: neither a user it runs as nor why it needs root", app.name)
		case s.Caps == nil:
			t.Errorf("%s: no capability set found (%s)", app.name, s.NoCapDrop)
		case len(s.CapDrop) == 0:
			// docker's inspect says ALL, podman's lists what it dropped;
			// the bounding set, below, is what counts.
			t.Errorf("%s: the file as written ran with no cap_drop", app.name)
		}
		if s.Caps != nil {
			for _, k := range s.Caps.Kept {
				if s.Caps.Evidence[k] == "" {
					t.Errorf("%s: keeps %s without evidence", app.name, k)
				}
			}
		}
	}
	h.tryLeftovers(t, ep, tmp)
	config, hardened := readWritten(t, dir)
	if !strings.Contains(string(hardened), "cap_drop:") {
		t.Errorf("compose.yaml as written has no cap_drop")
	}

	// The project as written, brought up by the test.
	p := h.newProject(t, ep, workspace{dir: dir}, "compose.yaml", "trypriv")
	if err := p.upDetached(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, app := range realApps {
		t.Run(app.name, func(t *testing.T) {
			s := byName[app.name]
			probe := app
			if probe.user == "" {
				probe.user = "0" // as root, whatever user the server runs as (MariaDB's root logs in by its socket's peer)
			}
			if err := p.waitProbe(t, probe); err != nil {
				t.Fatalf("as written: %v", err)
			}
			ctr := p.container(app.name)
			if out, err := p.exec(t, ctr, "0", "touch", "/rofix-e2e-root"); err == nil || !strings.Contains(out, "Read-only file system") {
				t.Errorf("the root filesystem is not read-only (%v): %s", err, out)
			}
			status, err := p.exec(t, ctr, "0", "cat", "/proc/1/status")
			if err != nil {
				t.Fatalf("reading /proc/1/status: %v\n%s", err, status)
			}
			fields := map[string]string{}
			for line := range strings.Lines(status) {
				if k, v, ok := strings.Cut(line, ":"); ok {
					fields[k] = strings.TrimSpace(v)
				}
			}
			if fields["NoNewPrivs"] != "1" {
				t.Errorf("NoNewPrivs %q, want 1", fields["NoNewPrivs"])
			}
			bnd, err := strconv.ParseUint(fields["CapBnd"], 16, 64)
			if err != nil {
				t.Fatalf("CapBnd %q: %v", fields["CapBnd"], err)
			}
			for _, never := range []string{"NET_RAW", "MKNOD", "AUDIT_WRITE"} {
				if bnd&(1<<capBits[never]) != 0 {
					t.Errorf("CapBnd %s holds %s", fields["CapBnd"], never)
				}
			}
			var allowed uint64
			if s.Caps != nil {
				for _, k := range s.Caps.Kept {
					allowed |= 1 << capBits[k]
				}
			}
			if bnd&^allowed != 0 {
				t.Errorf("CapBnd %s holds more than the kept %v (cap_drop ALL not in force)", fields["CapBnd"], s.Caps)
			}
			// The server's user: the proven one, or root with a reason.
			uid := strings.Fields(fields["Uid"])
			if s.RunAs != "" {
				want, _, _ := strings.Cut(s.RunAs, ":")
				if len(uid) == 0 || uid[0] != want {
					t.Errorf("the server runs as uid %v, want %s (run_as)", uid, want)
				}
			} else if s.NeedsRoot == "" {
				t.Errorf("runs as uid %v with no reason to be root", uid)
			}
			// The data reached its volume: read as the server's user (a
			// root without capabilities cannot enter Redis's 0750
			// directory).
			if app.write != nil {
				if out, err := p.exec(t, ctr, probe.user, app.write...); err != nil {
					t.Errorf("writing data: %v\n%s", err, out)
				}
				reader := probe.user
				if s.RunAs != "" && app.user == "" {
					reader = s.RunAs
				}
				if out, err := p.exec(t, ctr, reader, app.written...); err != nil {
					t.Errorf("the data volume was not written: %v\n%s", err, out)
				}
			}
		})
	}
	if t.Failed() {
		return
	}
	again, _ := h.tryPriv(t, dir, env)
	if again.code != 0 || len(again.report.Written) > 0 {
		t.Errorf("a second rofix try -w: exit %d, wrote %v; want 0 and nothing", again.code, again.report.Written)
	}
	if now, _ := os.ReadFile(file); string(now) != string(hardened) {
		t.Errorf("a second rofix try -w changed compose.yaml:\n%s", now)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, ".rofix.yaml")); string(now) != string(config) {
		t.Errorf("a second rofix try -w changed .rofix.yaml:\n%s", now)
	}
	h.tryLeftovers(t, ep, tmp)
}

// tryPriv runs "rofix try -w --enable cap-drop,non-root" in dir and
// returns its outcome and its services' privilege reports.
func (h *harness) tryPriv(t *testing.T, dir string, env []string) (tryRun, []privService) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 25*time.Minute)
	defer cancel()
	h.started.Add(int64(12 * len(realApps)))
	cmd, stdout, stderr := h.startTry(ctx, dir, env, "-w", "--settle", "5s", "--timeout", "20m", "--enable", "cap-drop,non-root")
	r := finishTry(t, cmd.Run(), stdout, stderr)
	var rep struct{ Services []privService }
	if strings.TrimSpace(r.stdout) != "" {
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("rofix try --format json: %v", err)
		}
	}
	return r, rep.Services
}

// privRounds returns the most rounds a service's search took.
func privRounds(services []privService) int {
	n := 0
	for _, s := range services {
		n = max(n, s.PrivRounds)
	}
	return n
}
