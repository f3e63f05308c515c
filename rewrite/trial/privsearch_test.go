package trial

import (
	"errors"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// A fakeService stands for a container in the search's rounds: as root it
// works when every capability of one of its needs sets is there (a set
// each, for a service that can do with either of two); as its user it
// works when runsAs names that user.
type fakeService struct {
	needs  [][]string
	runsAs string
	broken bool // fails whatever it gets
}

// outcome is how the fake service does with a try, with a log line that
// names what it missed, as a server's would.
func (f fakeService) outcome(try privTry) privOutcome {
	switch {
	case f.broken:
		return privOutcome{State: "exited 1", Line: "fatal: broken"}
	case try.User != "":
		if try.User == f.runsAs {
			return privOutcome{OK: true, State: stateRunning}
		}
		return privOutcome{State: "exited 1", Line: "bind() to 0.0.0.0:80 failed (13: Permission denied)"}
	case !try.DropAll:
		return privOutcome{OK: true, State: stateRunning}
	}
	var missing []string
	for _, set := range f.needs {
		var lacks []string
		for _, c := range set {
			if !slices.Contains(try.Caps, c) {
				lacks = append(lacks, c)
			}
		}
		if len(lacks) == 0 {
			return privOutcome{OK: true, State: stateRunning}
		}
		missing = append(missing, lacks...)
	}
	if len(f.needs) == 0 {
		return privOutcome{OK: true, State: stateRunning}
	}
	return privOutcome{State: "exited 1", Line: "operation not permitted without " + strings.Join(missing, ",")}
}

// fakeRounds returns a round runner over fake services that records every
// try it was asked to run.
func fakeRounds(t *testing.T, svcs map[string]fakeService, log *[]map[string]privTry) roundFunc {
	return func(round int, tries map[string]privTry) (map[string]privOutcome, error) {
		if round != len(*log)+1 {
			t.Fatalf("round %d after %d rounds", round, len(*log))
		}
		*log = append(*log, maps.Clone(tries))
		out := map[string]privOutcome{}
		for s, try := range tries {
			for _, c := range try.Caps {
				if slices.Contains(neverTried, c) {
					t.Errorf("round %d: %s tried with %s", round, s, c)
				}
			}
			out[s] = svcs[s].outcome(try)
		}
		return out, nil
	}
}

// TestPrivSearchServers: the six real servers' shapes. A service that
// runs as the owner of what it wrote is done in the user round with no
// capability; one with known caps that work is done in its first
// capability round; the others lose what they do not need and keep what
// they need, each kept one with the log line of the round without it as
// evidence; every service searches in the same rounds.
func TestPrivSearchServers(t *testing.T) {
	svcs := map[string]fakeService{
		"redis":     {runsAs: "101:102", needs: [][]string{{"DAC_OVERRIDE"}}},
		"nginx":     {needs: [][]string{{"CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"}}},
		"postgres":  {runsAs: "", needs: [][]string{{"CHOWN", "SETGID", "SETUID"}}},
		"memcached": {needs: [][]string{{"SETGID", "SETUID"}}},
		"known":     {needs: [][]string{{"SETGID", "SETUID"}}},
		"apache":    {needs: [][]string{{"KILL", "NET_BIND_SERVICE", "SETGID", "SETUID"}}},
	}
	searches := []*privSearch{
		newPrivSearch(privSearch{Service: "redis", doUser: true, doCaps: true, Candidate: "101:102", From: "owner of /var/lib/redis", Default: dockerDefaultCaps()}),
		newPrivSearch(privSearch{Service: "nginx", doUser: true, doCaps: true, Candidate: "33:33", From: "owner of /var/log/nginx", Default: dockerDefaultCaps()}),
		newPrivSearch(privSearch{Service: "postgres", doUser: true, doCaps: true, Candidate: "103:105", From: "owner of /run/postgresql", Default: dockerDefaultCaps()}),
		newPrivSearch(privSearch{Service: "memcached", doUser: true, doCaps: true, Default: dockerDefaultCaps()}),
		newPrivSearch(privSearch{Service: "known", doUser: true, doCaps: true, KnownNeedsRoot: "its entrypoint drops privileges itself", KnownCaps: []string{"setuid", "CAP_SETGID"}, Default: dockerDefaultCaps()}),
		newPrivSearch(privSearch{Service: "apache", doUser: true, doCaps: true, Candidate: "33:33", From: "owner of /var/log/apache2", Default: dockerDefaultCaps()}),
	}
	var log []map[string]privTry
	rounds, err := searchPrivileges(searches, 30, fakeRounds(t, svcs, &log))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		runAs, needsRoot string
		caps             []string
		rounds           int
	}{
		"redis":     {"101:102", "", []string{}, 1},
		"nginx":     {"", "fails as 33:33 (owner of /var/log/nginx): exited 1: bind() to 0.0.0.0:80 failed (13: Permission denied)", []string{"CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"}, 0},
		"postgres":  {"", "fails as 103:105", []string{"CHOWN", "SETGID", "SETUID"}, 0},
		"memcached": {"", "no non-root user found", []string{"SETGID", "SETUID"}, 0},
		"known":     {"", "its entrypoint drops privileges itself", []string{"SETGID", "SETUID"}, 1},
		"apache":    {"", "fails as 33:33", []string{"KILL", "NET_BIND_SERVICE", "SETGID", "SETUID"}, 0},
	}
	for _, s := range searches {
		w := want[s.Service]
		if !s.done() || !s.CapsFound || s.RunAs != w.runAs || !strings.HasPrefix(s.NeedsRoot, w.needsRoot) || !slices.Equal(s.Caps, w.caps) {
			t.Errorf("%s: done %v, caps found %v %q, run as %q, needs root %q; want caps %q, run as %q, needs root %q...",
				s.Service, s.done(), s.CapsFound, s.Caps, s.RunAs, s.NeedsRoot, w.caps, w.runAs, w.needsRoot)
		}
		if w.rounds > 0 && s.Rounds != w.rounds {
			t.Errorf("%s: %d rounds, want %d", s.Service, s.Rounds, w.rounds)
		}
		checkEvidence(t, s, svcs[s.Service])
		t.Logf("%s: %d rounds, caps %v, removed %v", s.Service, s.Rounds, s.Caps, s.Removed)
	}
	// Each round ran every search that still had a try.
	for i, tries := range log {
		for _, s := range searches {
			if _, in := tries[s.Service]; !in && s.Rounds > i {
				t.Errorf("round %d lacks %s, which searched in %d rounds", i+1, s.Service, s.Rounds)
			}
		}
	}
	if rounds > 10 {
		t.Errorf("%d rounds for six services, want at most 10", rounds)
	}
	t.Logf("%d rounds", rounds)
}

// checkEvidence checks a finished capability search against the service:
// the set it found works, each kept capability has the log line of a
// round without it, and each removed one is not kept; what was never
// tried is neither.
func checkEvidence(t *testing.T, s *privSearch, f fakeService) {
	t.Helper()
	if !s.CapsFound {
		return
	}
	if o := f.outcome(privTry{DropAll: true, Caps: s.Caps}); !o.OK && s.RunAs == "" {
		t.Errorf("%s: the set found %v does not work: %s", s.Service, s.Caps, o.why())
	}
	for _, c := range s.Caps {
		if s.KnownCaps != nil && s.Rounds == 1 {
			if !strings.Contains(s.Needed[c], "rofix knows") {
				t.Errorf("%s: %s kept from the knowledge with evidence %q", s.Service, c, s.Needed[c])
			}
			continue
		}
		if !strings.Contains(s.Needed[c], "operation not permitted without") || !strings.Contains(s.Needed[c], c) {
			t.Errorf("%s: %s kept with evidence %q", s.Service, c, s.Needed[c])
		}
		if slices.Contains(s.Removed, c) {
			t.Errorf("%s: %s both kept and removed", s.Service, c)
		}
	}
	for _, c := range neverTried {
		if slices.Contains(s.Caps, c) || slices.Contains(s.Removed, c) {
			t.Errorf("%s: %s in %v / %v", s.Service, c, s.Caps, s.Removed)
		}
	}
	if s.RunAs == "" && s.KnownCaps == nil && len(s.Caps)+len(s.Removed) != len(s.Default) {
		t.Errorf("%s: kept %v and removed %v: not the default set %v", s.Service, s.Caps, s.Removed, s.Default)
	}
}

// TestPrivSearchEdges: a service that fails even with the default set
// keeps no cap_drop, with the reason; with only cap-drop on there is no
// user round; with only non-root on the user round drops nothing; a
// service that needs no capability is done in one round; one that can do
// with either of two capabilities keeps one that works.
func TestPrivSearchEdges(t *testing.T) {
	cases := []struct {
		name   string
		s      privSearch
		f      fakeService
		check  func(t *testing.T, s *privSearch)
		rounds int
	}{
		{
			name: "fails with the default set",
			s:    privSearch{doCaps: true, Default: dockerDefaultCaps()},
			f:    fakeService{needs: [][]string{{"SYS_ADMIN"}}},
			check: func(t *testing.T, s *privSearch) {
				if s.CapsFound || !strings.Contains(s.NoCapDrop, "default capabilities") || !strings.Contains(s.NoCapDrop, "without SYS_ADMIN") {
					t.Errorf("caps found %v %v, no cap drop %q", s.CapsFound, s.Caps, s.NoCapDrop)
				}
			},
			rounds: 3, // none, the rare ones away, the default set
		},
		{
			name: "broken whatever it gets",
			s:    privSearch{doUser: true, doCaps: true, Candidate: "1:1", From: "x", Default: dockerDefaultCaps()},
			f:    fakeService{broken: true},
			check: func(t *testing.T, s *privSearch) {
				if s.CapsFound || s.NoCapDrop == "" || !strings.Contains(s.NeedsRoot, "fatal: broken") {
					t.Errorf("caps found %v, no cap drop %q, needs root %q", s.CapsFound, s.NoCapDrop, s.NeedsRoot)
				}
			},
			rounds: 4,
		},
		{
			name: "cap-drop only",
			s:    privSearch{doCaps: true, Candidate: "1:1", Default: dockerDefaultCaps()},
			f:    fakeService{runsAs: "1:1", needs: [][]string{{"CHOWN"}}},
			check: func(t *testing.T, s *privSearch) {
				if s.RunAs != "" || s.NeedsRoot != "" || !slices.Equal(s.Caps, []string{"CHOWN"}) {
					t.Errorf("run as %q, needs root %q, caps %v", s.RunAs, s.NeedsRoot, s.Caps)
				}
			},
		},
		{
			name: "non-root only, proven",
			s:    privSearch{doUser: true, Candidate: "1:1", Default: dockerDefaultCaps()},
			f:    fakeService{runsAs: "1:1"},
			check: func(t *testing.T, s *privSearch) {
				if s.RunAs != "1:1" || s.CapsFound {
					t.Errorf("run as %q, caps found %v", s.RunAs, s.CapsFound)
				}
			},
			rounds: 1,
		},
		{
			name: "non-root only, fails",
			s:    privSearch{doUser: true, Candidate: "1:1", From: "owner of /x", Default: dockerDefaultCaps()},
			f:    fakeService{},
			check: func(t *testing.T, s *privSearch) {
				if s.RunAs != "" || !strings.Contains(s.NeedsRoot, "Permission denied") || s.CapsFound {
					t.Errorf("run as %q, needs root %q, caps found %v", s.RunAs, s.NeedsRoot, s.CapsFound)
				}
			},
			rounds: 1,
		},
		{
			name: "needs none",
			s:    privSearch{doUser: true, doCaps: true, Default: dockerDefaultCaps()},
			f:    fakeService{},
			check: func(t *testing.T, s *privSearch) {
				if !s.CapsFound || len(s.Caps) != 0 || s.Caps == nil {
					t.Errorf("caps found %v %#v", s.CapsFound, s.Caps)
				}
			},
			rounds: 1,
		},
		{
			name: "known caps that do not work",
			s:    privSearch{doCaps: true, KnownCaps: []string{"CHOWN"}, Default: dockerDefaultCaps()},
			f:    fakeService{needs: [][]string{{"CHOWN", "SETUID"}}},
			check: func(t *testing.T, s *privSearch) {
				if !slices.Equal(s.Caps, []string{"CHOWN", "SETUID"}) {
					t.Errorf("caps %v", s.Caps)
				}
			},
		},
		{
			name: "either of two",
			s:    privSearch{doCaps: true, Default: dockerDefaultCaps()},
			f:    fakeService{needs: [][]string{{"DAC_OVERRIDE"}, {"FOWNER"}}},
			check: func(t *testing.T, s *privSearch) {
				if len(s.Caps) != 1 || s.Caps[0] != "DAC_OVERRIDE" && s.Caps[0] != "FOWNER" {
					t.Errorf("caps %v, want one of DAC_OVERRIDE, FOWNER", s.Caps)
				}
			},
		},
		{
			name: "podman's default set",
			s:    privSearch{doCaps: true, Default: []string{"CAP_SETUID", "cap_chown", "SETGID"}},
			f:    fakeService{needs: [][]string{{"SETUID"}}},
			check: func(t *testing.T, s *privSearch) {
				if !slices.Equal(s.Caps, []string{"SETUID"}) || !slices.Equal(s.Removed, []string{"CHOWN", "SETGID"}) {
					t.Errorf("caps %v, removed %v", s.Caps, s.Removed)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.s.Service = "svc"
			s := newPrivSearch(c.s)
			var log []map[string]privTry
			if _, err := searchPrivileges([]*privSearch{s}, 30, fakeRounds(t, map[string]fakeService{"svc": c.f}, &log)); err != nil {
				t.Fatal(err)
			}
			if !s.done() {
				t.Fatalf("not done after %d rounds", s.Rounds)
			}
			c.check(t, s)
			checkEvidence(t, s, c.f)
			if c.rounds > 0 && s.Rounds != c.rounds {
				t.Errorf("%d rounds, want %d: %v", s.Rounds, c.rounds, log)
			}
			for i, tries := range log {
				if try := tries["svc"]; try.User == "" && c.s.doCaps != try.DropAll {
					t.Errorf("round %d: drop all %v with cap-drop %v", i+1, try.DropAll, c.s.doCaps)
				}
			}
		})
	}
}

// TestPrivSearchMinimal: for any set of needed capabilities, the search
// finds exactly that set, proven, and never runs a try twice. It takes
// few rounds where servers' needs are as the order assumes (each of
// rarelyNeeded needed with a chance of one in twenty, each other one with
// one in two): at most 9.5 on average, where removing one per round takes 13
// (none, the default set, then 11); and at most 17 in any case.
func TestPrivSearchMinimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 19))
	worst, total := 0, 0
	const n = 300
	for range n {
		var need []string
		for _, c := range dockerDefaultCaps() {
			if chance := map[bool]int{true: 20, false: 2}[slices.Contains(rarelyNeeded, c)]; r.IntN(chance) == 0 {
				need = append(need, c)
			}
		}
		f := fakeService{needs: [][]string{need}}
		s := newPrivSearch(privSearch{Service: "svc", doCaps: true, Default: dockerDefaultCaps()})
		var log []map[string]privTry
		if _, err := searchPrivileges([]*privSearch{s}, 40, fakeRounds(t, map[string]fakeService{"svc": f}, &log)); err != nil {
			t.Fatal(err)
		}
		if !s.done() || !slices.Equal(s.Caps, sortedCaps(need)) {
			t.Fatalf("need %v: found %v (done %v)", need, s.Caps, s.done())
		}
		checkEvidence(t, s, f)
		seen := map[string]bool{}
		for _, tries := range log {
			k := tries["svc"].key()
			if seen[k] {
				t.Errorf("need %v: %s tried twice", need, k)
			}
			seen[k] = true
		}
		worst = max(worst, s.Rounds)
		total += s.Rounds
	}
	if worst > 17 || 2*total > 19*n {
		t.Errorf("worst case %d rounds, mean %.1f; want at most 17 and 9.5", worst, float64(total)/n)
	}
	t.Logf("worst case: %d rounds, mean %.1f", worst, float64(total)/n)
}

// TestPrivSearchRoundError: an error from a round ends the search with it.
func TestPrivSearchRoundError(t *testing.T) {
	s := newPrivSearch(privSearch{Service: "svc", doCaps: true, Default: dockerDefaultCaps()})
	boom := errors.New("compose up: boom")
	n, err := searchPrivileges([]*privSearch{s}, 10, func(int, map[string]privTry) (map[string]privOutcome, error) { return nil, boom })
	if !errors.Is(err, boom) || n != 1 || s.done() {
		t.Errorf("rounds %d, err %v, done %v", n, err, s.done())
	}
}

// TestRefusedNewLines: a privilege round's logs are read against the
// original run's: a line of the same shape (numbers, ids and times aside)
// is old, and so is one run together with an old one or cut short; among
// the new ones, a refused operation is found, as servers print it, except
// one under /usr (the read-only root refuses it anyway).
func TestRefusedNewLines(t *testing.T) {
	base := []string{
		"/usr/sbin/apache2ctl: 99: ulimit: error setting limit (Operation not permitted)",
		"2026/12/07 22:16:00 [notice] 1#1: start worker process 31",
		"AH00557: apache2: apr_sockaddr_info_get() failed for 88c97196acf0",
	}
	logs := []string{
		"/usr/sbin/apache2ctl: 99: ulimit: error setting limit (Operation not permitted)",
		"2026/12/07 22:17:04 [notice] 1#1: start worker process 45",
		"AH00557: apache2: apr_sockaddr_info_get() failed for 3f2a9be01c7d",
		`2026/12/07 22:17:04 [emerg] 45#45: setgid(33) failed (1: Operation not permitted)`,
		"2026/12/07 22:17:04 [alert] 1#1: worker process 45 exited with fatal code 2 and cannot be respawned",
		// podman's log of two streams run together, and a line cut short
		"Setting ulimit failed. See README.Debian for more information./usr/sbin/apache2ctl: 99: ulimit: error setting limit (Operation not permitted)",
		"error setting limit (Operation not permitted)",
		// an install script's chown under /usr: refused by the read-only root anyway
		"chown: cannot access '/usr/lib/mysql/plugin/auth_pam_tool_dir/auth_pam_tool': Permission denied",
	}
	fresh := newLines(logs, base)
	if want := []string{logs[3], logs[4], logs[7]}; !slices.Equal(fresh, want) {
		t.Errorf("new lines %q, want %q", fresh, want)
	}
	if got := refusedLine(fresh); got != logs[3] {
		t.Errorf("refused line %q, want %q", got, logs[3])
	}
	for _, line := range []string{
		"failed to assume identity of user memcache",
		"failed to drop supplementary groups: Operation not permitted",
		"setpriv: setresgid failed: Operation not permitted",
		"chown: changing ownership of '/var/lib/postgresql/data': Operation not permitted",
		`open() "/var/log/nginx/error.log" failed (13: Permission denied)`,
		"[Warning] AH02156: setgid: unable to set group id to Group 33",
	} {
		if refusedLine([]string{line}) == "" {
			t.Errorf("not read as refused: %s", line)
		}
	}
	if got := refusedLine([]string{"ready to accept connections", "listening on 0.0.0.0:6379"}); got != "" {
		t.Errorf("refused line %q in a server's start", got)
	}
}

// TestTopUsers: the users of a container's processes, from docker's top
// (UID) and podman's (USER); a round has lost a user its processes ran as
// as it is (nginx's workers, which could not switch to www-data), root
// aside when the round runs the service as another user.
func TestTopUsers(t *testing.T) {
	docker := `UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD
root                12345               12320               0                   22:16               ?                   00:00:00            nginx: master process nginx -g daemon off;
www-data            12400               12345               0                   22:16               ?                   00:00:00            nginx: worker process
www-data            12401               12345               0                   22:16               ?                   00:00:00            nginx: worker process
`
	podman := `USER        PID         PPID        %CPU        ELAPSED         TTY         TIME        COMMAND
root        1           0           0.000       5.12345s        ?           0s          nginx: master process nginx -g daemon off;
www-data    7           1           0.000       5.1s            ?           0s          nginx: worker process
`
	for name, out := range map[string]string{"docker": docker, "podman": podman} {
		if got := topUsers(out); !slices.Equal(got, []string{"root", "www-data"}) {
			t.Errorf("%s: users %q", name, got)
		}
	}
	if got := topUsers("no header\n"); got != nil {
		t.Errorf("without a header: %q", got)
	}
	base := []string{"root", "www-data"}
	cases := []struct {
		now    []string
		asUser bool
		want   []string
	}{
		{[]string{"root"}, false, []string{"www-data"}},
		{[]string{"root", "www-data"}, false, nil},
		{[]string{"www-data"}, true, nil},
		{[]string{"101"}, true, []string{"www-data"}},
		{nil, false, nil}, // top failed: nothing known
	}
	for _, c := range cases {
		if got := lostUsers(base, c.now, c.asUser); !slices.Equal(got, c.want) {
			t.Errorf("lost from %q to %q (as a user %v): %q, want %q", base, c.now, c.asUser, got, c.want)
		}
	}
}
