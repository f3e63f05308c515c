package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/rofix/rofix/rewrite/config"
	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/shell"
)

// Quadlet and systemd units checked by the real tools: Podman's Quadlet
// generator (built from podman v5.4.0's module source: Debian's podman 4.3
// has none) and systemd-analyze verify (Debian's systemd package, no running
// systemd needed). The containers they describe then run on podman 4.3.

// quadletTool is Podman's Quadlet generator. The module zip's vendor/ is
// incomplete: it builds without it, from the module proxy.
var quadletTool = goTool{
	module: "github.com/containers/podman/v5", version: "v5.4.0", pkg: "./cmd/quadlet",
	file: "quadlet-v5.4.0", noVendor: true, timeout: 10 * time.Minute,
}

// quadletBin is the generator, built once per run.
var quadletBin struct {
	once sync.Once
	path string
	err  error
}

// needQuadlet returns the Quadlet generator; without it the test is skipped
// (a failure with CI=true).
func needQuadlet(t *testing.T) string {
	t.Helper()
	quadletBin.once.Do(func() { quadletBin.path, quadletBin.err = quadletTool.cached() })
	if quadletBin.err != nil {
		unavailable(t, "the Quadlet generator", quadletBin.err)
	}
	return quadletBin.path
}

// needSystemdAnalyze returns systemd-analyze; without it the test is
// skipped (a failure with CI=true).
func needSystemdAnalyze(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("systemd-analyze")
	if err != nil {
		unavailable(t, "systemd-analyze (Debian: apt-get install systemd)", err)
	}
	return p
}

// unavailable skips the test for want's absence, or fails it with CI=true.
func unavailable(t *testing.T, want string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("no %s (CI=true, so this is a failure, not a skip): %v", want, err)
	}
	t.Skipf("no %s: %v", want, err)
}

// quadletDryRun runs the generator on the units of dir: the units it
// prints, by name. Any refusal (an error exit) or any message on stderr
// other than "Loading source unit file" (a warning) is an error.
func quadletDryRun(ctx context.Context, quadlet, dir string) (map[string]string, error) {
	cmd := exec.CommandContext(ctx, quadlet, "-dryrun")
	cmd.Env = append(os.Environ(), "QUADLET_UNIT_DIRS="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("quadlet -dryrun refused it: %v\n%s", err, stderr.String())
	}
	for line := range strings.Lines(stderr.String()) {
		if !strings.Contains(line, "Loading source unit file") {
			return nil, fmt.Errorf("quadlet -dryrun warned: %s", strings.TrimSpace(line))
		}
	}
	units := map[string]string{}
	name := ""
	for line := range strings.Lines(string(out)) {
		if h := strings.TrimSpace(line); strings.HasPrefix(h, "---") && strings.HasSuffix(h, "---") && len(h) > 6 {
			name = strings.Trim(h, "-")
			continue
		}
		if name == "" {
			return nil, fmt.Errorf("quadlet -dryrun: output before a unit's header: %q", line)
		}
		units[name] += line
	}
	if len(units) == 0 {
		return nil, fmt.Errorf("quadlet -dryrun printed no unit\n%s", stderr.String())
	}
	return units, nil
}

// verifyUnits runs systemd-analyze verify on the named units of dir. Any
// message is returned with the error: a unit rofix writes must not draw
// even a warning ("Unknown key", "Unbalanced quoting").
func verifyUnits(ctx context.Context, analyze, dir string, names ...string) (string, error) {
	args := []string{"verify", "--man=no"}
	for _, n := range names {
		args = append(args, "./"+n)
	}
	cmd := exec.CommandContext(ctx, analyze, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// cleanVerify fails the test unless systemd-analyze verify accepts the
// units without a message.
func cleanVerify(t *testing.T, analyze, dir string, names ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if out, err := verifyUnits(ctx, analyze, dir, names...); err != nil || out != "" {
		t.Errorf("systemd-analyze verify %s: %v\n%s", strings.Join(names, " "), err, out)
	}
}

// goldenCase is a golden case's input name, the output rofix must write
// (the input when it stays unchanged) and its findings.
type goldenCase struct {
	name, file string
	in, out    []byte
	findings   string
	// pol is the policy the case runs with: the default, with the case's
	// .rofix.yaml applied when it has one (the opt-in rules' cases).
	pol policy.Policy
}

// goldenCases reads golden/testdata/KIND/*.txtar as golden_test.go does.
func goldenCases(t *testing.T, kind string) []goldenCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "golden", "testdata", kind, "*.txtar"))
	must(t, err)
	if len(files) == 0 {
		t.Fatalf("no golden cases in ../golden/testdata/%s", kind)
	}
	var cases []goldenCase
	for _, f := range files {
		ar, err := txtar.ParseFile(f)
		must(t, err)
		c := goldenCase{name: strings.TrimSuffix(filepath.Base(f), ".txtar"), file: ar.Files[0].Name, pol: policy.Default()}
		noEOL := strings.Contains("\n"+string(ar.Comment), "\nno-final-newline")
		for i, sec := range ar.Files {
			data := sec.Data
			if noEOL && (i == 0 || sec.Name == "output") {
				data = bytes.TrimSuffix(data, []byte("\n"))
			}
			switch {
			case i == 0:
				c.in = data
			case sec.Name == "output":
				c.out = data
			case sec.Name == "findings":
				c.findings = string(data)
			case sec.Name == config.FileName:
				conf, err := config.Parse(sec.Name, data)
				must(t, err)
				c.pol = conf.Apply(c.pol, false)
			}
		}
		if c.out == nil {
			c.out = c.in
		}
		cases = append(cases, c)
	}
	return cases
}

// entry is one setting of a unit file: its logical value (continued lines
// joined, as systemd joins them, with a space), its raw text (continued
// lines kept, as rofix hands them to the shell engine) and the comment line
// right above it.
type entry struct {
	section, key, value, raw, above string
}

// unitEntries reads the settings of a unit file as systemd does.
func unitEntries(src string) []entry {
	var out []entry
	section, above := "", ""
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "":
			above = ""
			continue
		case line[0] == '#' || line[0] == ';':
			above = line
			continue
		case line[0] == '[':
			section, above = strings.Trim(line, "[]"), ""
			continue
		}
		raw, commented := line, false
		for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
			i++
			next := strings.TrimSpace(lines[i])
			if strings.HasPrefix(next, "#") || strings.HasPrefix(next, ";") {
				commented = true
				continue // a comment inside a continued value
			}
			line = strings.TrimSuffix(line, `\`) + " " + next
			raw += "\n" + lines[i]
		}
		if commented {
			raw = line
		}
		key, value, _ := strings.Cut(line, "=")
		_, rawValue, _ := strings.Cut(raw, "=")
		out = append(out, entry{section, strings.TrimSpace(key), strings.TrimSpace(value), strings.TrimSpace(rawValue), above})
		above = ""
	}
	return out
}

// execCommand returns an Exec*= value without its prefixes (-@:+!|).
func execCommand(value string) string { return strings.TrimLeft(value, "-@:+!|") }

// resolveSpecifiers replaces systemd's specifiers: %% by %, %X by spec[X],
// or by a placeholder word when spec lacks X.
func resolveSpecifiers(s string, spec map[byte]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch v, ok := spec[s[i]]; {
		case s[i] == '%':
			b.WriteByte('%')
		case ok:
			b.WriteString(v)
		default:
			b.WriteString("SPEC" + string(s[i]))
		}
	}
	return b.String()
}

// splitCommand splits a command line into words with systemd's quoting:
// blanks separate words, "..." and '...' quote, and a backslash escapes the
// next character (\n, \t: a newline, a tab).
func splitCommand(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				w.WriteByte('\n')
			case 't':
				w.WriteByte('\t')
			default:
				w.WriteByte(s[i])
			}
			inWord = true
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			w.WriteByte(c)
		case c == '"' || c == '\'':
			quote, inWord = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unbalanced quoting in %q", s)
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// mentionsEngine tells whether a command may run a container.
func mentionsEngine(cmd string) bool {
	return strings.Contains(cmd, "docker") || strings.Contains(cmd, "podman") || strings.Contains(cmd, "nerdctl")
}

// checkExecCommands checks every Exec*= command of the rewritten service
// unit out against the original in with the shell engine's own
// verification, on the command lines systemd runs (specifiers resolved):
// the shell engine's plan for the original command must verify the
// rewritten one (a command rofix left alone must be unchanged), and finds
// nothing left to harden in it. A rofix:ignore comment above a setting goes
// with its command, as in rofix. It returns the number of problems, each
// reported with t.Errorf. pol is the policy rofix ran with (a golden
// case's .rofix.yaml switches on the opt-in rules).
func checkExecCommands(t *testing.T, name string, in, out []byte, pol policy.Policy) (problems int) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf(format, args...)
		problems++
	}
	execs := func(src []byte) []entry {
		var es []entry
		for _, e := range unitEntries(string(src)) {
			if e.section == "Service" && strings.HasPrefix(e.key, "Exec") {
				es = append(es, e)
			}
		}
		return es
	}
	before, after := execs(in), execs(out)
	if len(before) != len(after) {
		fail("%s: %d Exec*= settings, %d after rofix", name, len(before), len(after))
		return problems
	}
	text := func(e entry) []byte {
		cmd := resolveSpecifiers(execCommand(e.raw), nil)
		if strings.Contains(e.above, "rofix:") {
			cmd = e.above + "\n" + cmd
		}
		return []byte(cmd)
	}
	for i, b := range before {
		a := after[i]
		if a.key != b.key || !mentionsEngine(b.value) {
			if a.value != b.value || a.key != b.key {
				fail("%s: %s=%s became %s=%s", name, b.key, b.value, a.key, a.value)
			}
			continue
		}
		src, got := text(b), text(a)
		p, err := shell.Plan("exec.sh", src, pol)
		if err != nil {
			fail("%s: %s=: the shell engine cannot read the original command: %v", name, b.key, err)
			continue
		}
		want, err := edit.Apply(src, p.Edits)
		must(t, err)
		if p.Verify == nil {
			if !bytes.Equal(got, want) {
				fail("%s: %s=: the shell engine plans no edit, yet the command changed:\n%s\n%s", name, b.key, src, got)
			}
		} else if err := p.Verify(got); err != nil {
			fail("%s: %s=: the shell engine's verification refuses the rewritten command: %v\n%s", name, b.key, err, got)
		}
		again, err := shell.Plan("exec.sh", got, pol)
		if err != nil {
			fail("%s: %s=: the rewritten command does not parse: %v\n%s", name, b.key, err, got)
		} else if len(again.Edits) > 0 {
			fail("%s: %s=: the shell engine would still harden the rewritten command (%d edits): %s", name, b.key, len(again.Edits), got)
		}
	}
	return problems
}

// TestUnitsCheckersRefuse makes sure the checkers see a broken unit: the
// Quadlet generator refuses an unknown key and systemd-analyze verify
// unbalanced quoting. Without this, a checker that accepted everything
// would make the tests below pass.
func TestUnitsCheckersRefuse(t *testing.T) {
	need(t)
	quadlet, analyze := needQuadlet(t), needSystemdAnalyze(t)
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "broken.container"), []byte("[Container]\nImage=example.com/app:1\nReadOnly=true\nBogusKey=1\n"), 0o644))
	if units, err := quadletDryRun(t.Context(), quadlet, dir); err == nil {
		t.Errorf("quadlet -dryrun accepted an unknown key:\n%v", units)
	}
	must(t, os.WriteFile(filepath.Join(dir, "broken.service"), []byte("[Service]\nExecStart=/usr/bin/podman run --read-only \"example.com/app:1\n"), 0o644))
	if out, err := verifyUnits(t.Context(), analyze, dir, "broken.service"); err == nil {
		t.Errorf("systemd-analyze verify accepted unbalanced quoting:\n%s", out)
	}
}

// quadletNotRunnable are the golden Quadlet cases the generator accepts
// but whose container cannot start, and why.
var quadletNotRunnable = map[string]string{
	"podmanargs-unreadable": "its PodmanArgs= holds --frobnicate, which podman run refuses (the case is about rofix withholding ReadOnly=)",
	"judge-privileged":      "it binds the host's /dev and /sys, which the harness stands in for with empty directories (runc then finds no /dev/null); rofix leaves the unit unchanged, as the golden case shows",
}

// TestUnitsQuadlet runs every golden .container output through the Quadlet
// generator (no refusal, no warning) and every unit it generates through
// systemd-analyze verify, then starts the generated `podman run` for real
// on podman with the suite's image: the root filesystem is read-only where
// the unit says ReadOnly=true, NoNewPrivs is 1 where it says
// NoNewPrivileges=true, /tmp and every Tmpfs= path are writable, and every
// Volume= with ro is read-only.
func TestUnitsQuadlet(t *testing.T) {
	h := need(t)
	quadlet, analyze := needQuadlet(t), needSystemdAnalyze(t)
	if h.podman == "" {
		t.Skip(h.podmanSkip)
	}
	ran, readOnly := 0, 0
	for _, c := range goldenCases(t, "quadlet") {
		if strings.Contains(c.findings, "not a Quadlet container unit") {
			continue // left alone by rofix, and no unit for Quadlet either
		}
		t.Run(c.name, func(t *testing.T) {
			src, gen := t.TempDir(), t.TempDir()
			base := strings.TrimSuffix(c.file, ".container")
			must(t, os.WriteFile(filepath.Join(src, c.file), c.out, 0o644))
			// The .volume units a Volume= names must exist for Quadlet.
			for _, e := range unitEntries(string(c.out)) {
				if v, _, _ := strings.Cut(e.value, ":"); e.section == "Container" && e.key == "Volume" && strings.HasSuffix(v, ".volume") {
					must(t, os.WriteFile(filepath.Join(src, v), []byte("[Volume]\n"), 0o644))
				}
			}
			ctx, cancel := context.WithTimeout(t.Context(), containerTimeout)
			defer cancel()
			units, err := quadletDryRun(ctx, quadlet, src)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for n, text := range units {
				must(t, os.WriteFile(filepath.Join(gen, n), []byte(text), 0o644))
				names = append(names, n)
			}
			slices.Sort(names)
			cleanVerify(t, analyze, gen, names...)
			if why, ok := quadletNotRunnable[c.name]; ok {
				t.Logf("not started: %s", why)
				return
			}
			service, ok := units[base+".service"]
			if !ok {
				t.Fatalf("quadlet -dryrun printed no %s.service: %v", base, names)
			}
			ro := h.runQuadlet(t, ctx, c, service)
			ran++
			if ro {
				readOnly++
			}
		})
	}
	if ran == 0 || readOnly == 0 {
		t.Errorf("%d golden units started, %d of them read-only: the test proves nothing", ran, readOnly)
	}
}

// runQuadlet starts the podman run command of a generated service with the
// suite's image and checks it against the .container unit's settings. It
// returns whether the unit asked for a read-only root.
func (h *harness) runQuadlet(t *testing.T, ctx context.Context, c goldenCase, service string) bool {
	t.Helper()
	var execStart string
	for _, e := range unitEntries(service) {
		if e.section == "Service" && e.key == "ExecStart" {
			execStart = e.value
		}
	}
	dir := t.TempDir()
	home, runtime := filepath.Join(dir, "home"), filepath.Join(dir, "run")
	must(t, os.MkdirAll(home, 0o755))
	must(t, os.MkdirAll(runtime, 0o755))
	unitName := strings.TrimSuffix(c.file, ".container")
	words, err := splitCommand(resolveSpecifiers(execCommand(execStart), map[byte]string{
		'h': home, 't': runtime, 'N': unitName, 'n': unitName + ".service",
	}))
	must(t, err)
	if len(words) < 3 || filepath.Base(words[0]) != "podman" || words[1] != "run" {
		t.Fatalf("ExecStart= is no podman run: %q", execStart)
	}
	// What the unit asks for, read from the .container unit (not from
	// the command, which would prove nothing).
	var want struct {
		readOnly, nnp bool
		tmpfs, roDst  []string
	}
	for _, e := range unitEntries(string(c.out)) {
		if e.section != "Container" {
			continue
		}
		switch e.key {
		case "ReadOnly":
			want.readOnly = e.value == "true" || e.value == "yes"
		case "NoNewPrivileges":
			want.nnp = e.value == "true" || e.value == "yes"
		case "Tmpfs":
			p, _, _ := strings.Cut(e.value, ":")
			want.tmpfs = append(want.tmpfs, p)
		case "Volume":
			f := strings.Split(e.value, ":")
			if len(f) == 3 && slices.Contains(strings.Split(f[2], ","), "ro") {
				want.roDst = append(want.roDst, f[1])
			}
		case "PodmanArgs":
			args, err := splitCommand(e.value)
			must(t, err)
			for i, a := range args {
				switch {
				case a == "--read-only" || a == "--read-only=true":
					want.readOnly = true
				case a == "--read-only=false":
					want.readOnly = false
				case strings.Contains(a, "no-new-privileges"):
					want.nnp = true
				case a == "--tmpfs" && i+1 < len(args):
					p, _, _ := strings.Cut(args[i+1], ":")
					want.tmpfs = append(want.tmpfs, p)
				}
			}
		}
	}
	// The command, minus what only systemd can run (--cgroups=split,
	// --sdnotify, the cid file, -d) and the network (--publish; no
	// network), with the suite's image; bind sources, env files and named
	// volumes made for the run.
	drop := map[string]bool{"--replace": true, "-d": true}
	dropWithValue := map[string]bool{"--name": true, "--publish": true, "-p": true}
	withValue := map[string]bool{"--tmpfs": true, "-v": true, "--volume": true, "--env": true, "-e": true,
		"--env-file": true, "--cap-add": true, "--cap-drop": true, "--mount": true, "--user": true, "-u": true, "--label": true}
	args := []string{"run", "--network", "none"}
	var volumes []string
	i := 2
	for ; i < len(words) && strings.HasPrefix(words[i], "-"); i++ {
		w := words[i]
		flag, _, _ := strings.Cut(w, "=")
		switch {
		case drop[w] || flag == "--cidfile" || flag == "--cgroups" || flag == "--sdnotify":
			continue
		case dropWithValue[w]:
			i++
			continue
		case !withValue[w]:
			args = append(args, w)
			continue
		}
		i++
		if i == len(words) {
			t.Fatalf("%s without a value: %q", w, execStart)
		}
		v := words[i]
		switch w {
		case "-v", "--volume":
			f := strings.SplitN(v, ":", 2)
			if filepath.IsAbs(f[0]) {
				must(t, os.MkdirAll(filepath.Join(dir, "binds", f[0]), 0o755))
				f[0] = filepath.Join(dir, "binds", f[0])
			} else {
				f[0] = "rofix-e2e-" + h.id + "-" + f[0]
				volumes = append(volumes, f[0])
			}
			v = strings.Join(f, ":")
		case "--env-file":
			must(t, os.WriteFile(v, nil, 0o644))
		}
		args = append(args, w, v)
	}
	if i == len(words) {
		t.Fatalf("no image in %q", execStart)
	}
	t.Cleanup(func() {
		if len(volumes) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if out, err := h.output(ctx, h.podman, append([]string{"volume", "rm", "-f"}, volumes...)...); err != nil {
			t.Errorf("podman volume rm: %v\n%s", err, out)
		}
	})
	args = append(args, "--rm", h.image, "e2e-check")
	checks := []check{{key: "tmp", hardened: "ok"}, {key: "root", hardened: "ok"}, {key: "nnp", hardened: "0"}}
	if want.readOnly {
		checks[1].hardened = "erofs"
	}
	if want.nnp {
		checks[2].hardened = "1"
	}
	for n, p := range want.tmpfs {
		key := "tmpfs" + strconv.Itoa(n)
		args = append(args, key+"="+p+"/.e2e-probe")
		checks = append(checks, check{key: key, hardened: "ok"})
	}
	for n, p := range want.roDst {
		key := "ro" + strconv.Itoa(n)
		args = append(args, key+"="+p+"/.e2e-probe")
		checks = append(checks, check{key: key, hardened: "erofs"})
	}
	h.started.Add(1)
	t.Logf("podman %s", strings.Join(args, " "))
	r := parse(h.output(ctx, h.podman, args...))
	r.mustComplete(t, "hardened")
	for _, ck := range checks {
		if got := r.vals[ck.key]; got != ck.hardened {
			t.Errorf("%s=%q, want %q%s", ck.key, got, ck.hardened, meaning(ck.key, ck.hardened))
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", tail(r.out, 3000))
	}
	return want.readOnly
}

// TestUnitsService runs every golden .service output through
// systemd-analyze verify and its Exec*= commands through the shell
// engine's verification (checkExecCommands).
func TestUnitsService(t *testing.T) {
	need(t)
	analyze := needSystemdAnalyze(t)
	for _, c := range goldenCases(t, "service") {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			must(t, os.WriteFile(filepath.Join(dir, c.file), c.out, 0o644))
			cleanVerify(t, analyze, dir, c.file)
			checkExecCommands(t, c.file, c.in, c.out, c.pol)
		})
	}
}

// TestUnitsServiceRun runs the containers of a service unit's ExecStart=
// and ExecStartPost= as systemd would start them (its quoting, its
// continued lines), as written and after rofix -w: the rewritten unit
// verifies, and its containers have a read-only root, NoNewPrivs 1, a
// writable /tmp, a read-only configuration bind and a writable data bind.
func TestUnitsServiceRun(t *testing.T) {
	h := need(t)
	analyze := needSystemdAnalyze(t)
	if h.podman == "" {
		t.Skip(h.podmanSkip)
	}
	root := t.TempDir()
	text, err := os.ReadFile(filepath.Join("testdata", "units", "probe.service"))
	must(t, err)
	run := func(side string) map[string]result {
		w := newWorkspace(t, root, side)
		file := filepath.Join(w.dir, "probe.service")
		unit := strings.NewReplacer("__PODMAN__", h.podman, "__IMAGE__", h.image, "__CONF__", w.conf, "__DATA__", w.data).Replace(string(text))
		must(t, os.WriteFile(file, []byte(unit), 0o644))
		if side == "hardened" {
			hardened, err := h.harden(t.Context(), file)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("rofix -w probe.service:\n%s", hardened)
			unit = hardened
		}
		cleanVerify(t, analyze, w.dir, "probe.service")
		results := map[string]result{}
		for _, e := range unitEntries(unit) {
			if e.section != "Service" || !strings.HasPrefix(e.key, "Exec") {
				continue
			}
			words, err := splitCommand(resolveSpecifiers(execCommand(e.value), nil))
			must(t, err)
			ctx, cancel := context.WithTimeout(t.Context(), containerTimeout)
			h.started.Add(1)
			results[e.key] = parse(h.output(ctx, words[0], words[1:]...))
			cancel()
		}
		return results
	}
	orig, hard := run("original"), run("hardened")
	for key, checks := range map[string][]check{
		"ExecStart":     asRoot(ro("conf")),
		"ExecStartPost": asRoot(rw("data")),
	} {
		orig[key].mustComplete(t, "original "+key)
		hard[key].mustComplete(t, "hardened "+key)
		assertChecks(t, orig[key], hard[key], checks)
	}
}

// TestUnitsCorpus runs the systemd units of the shared corpus
// (../shared/corpus/embedded/systemd) through rofix -w: systemd-analyze
// verify says exactly what it said of the original (many draw messages
// already: fleet's keys, missing units), the Exec*= commands pass
// checkExecCommands, and a second rofix -w changes nothing. The corpus has
// no Quadlet units.
func TestUnitsCorpus(t *testing.T) {
	h := need(t)
	analyze := needSystemdAnalyze(t)
	if h.rofixErr != nil {
		t.Fatal(h.rofixErr)
	}
	root := filepath.Join("..", "..", "shared", "corpus")
	if env := os.Getenv("ROFIX_CORPUS"); env != "" {
		root = filepath.Dir(env)
	}
	corpus := filepath.Join(root, "embedded", "systemd")
	files, err := filepath.Glob(filepath.Join(corpus, "*.service"))
	must(t, err)
	if len(files) == 0 {
		t.Skipf("corpus not found at %s (it lives next to the repository, at ../shared/corpus/embedded/systemd): skipping", corpus)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	before := map[string]string{}
	orig := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		must(t, err)
		name := filepath.Base(f)
		orig[name] = b
		must(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
		out, err := verifyUnits(ctx, analyze, dir, name)
		before[name] = fmt.Sprintf("%s(exit: %v)", out, err)
	}
	if out, err := h.output(ctx, h.rofix, "-w", dir); err != nil {
		t.Fatalf("rofix -w: %v\n%s", err, out)
	}
	pass, changed := 0, 0
	for _, f := range files {
		name := filepath.Base(f)
		after, err := os.ReadFile(filepath.Join(dir, name))
		must(t, err)
		if !bytes.Equal(after, orig[name]) {
			changed++
		}
		out, err := verifyUnits(ctx, analyze, dir, name)
		got := fmt.Sprintf("%s(exit: %v)", out, err)
		ok := got == before[name]
		if !ok {
			t.Errorf("%s: systemd-analyze verify, before rofix:\n%s\nafter:\n%s", name, before[name], got)
		}
		if checkExecCommands(t, name, orig[name], after, policy.Default()) == 0 && ok {
			pass++
		}
	}
	// Idempotent: a second run changes no byte.
	first := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.Base(f)))
		must(t, err)
		first[filepath.Base(f)] = b
	}
	if out, err := h.output(ctx, h.rofix, "-w", dir); err != nil {
		t.Fatalf("second rofix -w: %v\n%s", err, out)
	}
	for name, b := range first {
		again, err := os.ReadFile(filepath.Join(dir, name))
		must(t, err)
		if !bytes.Equal(again, b) {
			t.Errorf("%s: a second rofix -w changed it", name)
		}
	}
	fmt.Printf("e2e: units corpus: %d systemd units, %d changed by rofix -w, %d pass systemd-analyze verify and the shell engine's verification\n", len(files), changed, pass)
	if changed == 0 {
		t.Error("rofix -w changed no unit of the corpus: the test proves nothing")
	}
}
