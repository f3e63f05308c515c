package shellparse

import (
	"os"
	"strings"
	"testing"

	"github.com/rofix/rofix/golden/cases"
)

func TestWordSpans(t *testing.T) {
	src := "docker run\\\n  -v \"$PWD/a:/etc/a\" \\\n  --name=x\\\n  img"
	res, err := Find([]byte(src), Bash)
	if err != nil || len(res.Invocations) != 1 {
		t.Fatal(err, res)
	}
	inv := res.Invocations[0]
	var texts []string
	for _, w := range inv.Words {
		texts = append(texts, w.Text([]byte(src)))
	}
	want := []string{"docker", "run", "-v", `"$PWD/a:/etc/a"`, "--name=x", "img"}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("words %q, want %q", texts, want)
	}
	if v := inv.Words[3]; src[v.AppendAt] != '"' || v.Value != "${PWD}/a:/etc/a" {
		t.Errorf("value word %+v", v)
	}
}

func TestShellC(t *testing.T) {
	src := `sudo sh -ec 'docker run img' && bash -c "docker run img" ; bash --norc -lc 'x; podman run -d img'`
	res, err := Find([]byte(src), Bash)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Invocations) != 2 {
		t.Fatalf("%d invocations", len(res.Invocations))
	}
	for _, inv := range res.Invocations {
		run := inv.Words[inv.Sub]
		if src[run.Start:run.End] != "run" {
			t.Errorf("run word maps to %q", src[run.Start:run.End])
		}
	}
}

func TestDialect(t *testing.T) {
	for src, want := range map[string]Dialect{
		"#!/bin/sh\n": POSIX, "#!/usr/bin/env bash\n": Bash, "#!/bin/dash\n": POSIX, "#!/bin/ksh\n": Korn, "echo\n": Bash,
	} {
		if got := DialectFor([]byte(src)); got != want {
			t.Errorf("DialectFor(%q) = %v, want %v", src, got, want)
		}
	}
	if _, err := Find([]byte("#!/bin/sh\na=(x)\ndocker run img\n"), POSIX); err != nil {
		t.Errorf("POSIX should fall back to bash: %v", err)
	}
	_, err := Find([]byte("echo 'x\n"), Bash)
	if e, ok := err.(*Error); !ok || e.Offset != 5 {
		t.Errorf("error %#v, want an *Error at offset 5", err)
	}
}

// seeds returns the inputs of the shell golden cases.
func seeds(t testing.TB) []string {
	inputs, err := cases.Inputs("../golden", "shell")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, in := range inputs {
		out = append(out, string(in))
	}
	return out
}

func FuzzRunFlags(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	for _, s := range []string{"docker run -itd --rm nginx", "docker run -e --rm img", "podman run --rootfs /x", `docker run "${a[@]}" -v x:y img`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		src := []byte(s)
		res, err := Find(src, Bash)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		for _, inv := range res.Invocations {
			checkInvocation(t, src, inv)
		}
	})
}

func checkInvocation(t *testing.T, src []byte, inv *Invocation) {
	if inv.Sub < 1 || inv.Sub >= len(inv.Words) || inv.Image <= inv.Sub || inv.Image > len(inv.Words) {
		t.Fatalf("sub %d image %d of %d words", inv.Sub, inv.Image, len(inv.Words))
	}
	if v := inv.Words[inv.Sub].Value; v != "run" && v != "create" {
		t.Fatalf("sub word %q", v)
	}
	for _, w := range inv.Words {
		if w.Start < 0 || w.Start > w.End || w.End > len(src) || w.AppendAt < w.Start || w.AppendAt > w.End {
			t.Fatalf("bad span %+v in %d bytes", w, len(src))
		}
	}
	for _, f := range inv.Flags {
		if f.Word <= inv.Sub || f.Word >= inv.Image || f.ValueWord >= inv.Image || f.ValueWord >= 0 && f.ValueWord < f.Word {
			t.Fatalf("flag %+v outside the flag region (sub %d, image %d)", f, inv.Sub, inv.Image)
		}
	}
	for _, h := range inv.Hidden {
		if h <= inv.Sub || h >= inv.Image {
			t.Fatalf("hidden word %d outside the flag region", h)
		}
	}
}

func TestSeedsParse(t *testing.T) {
	if _, err := os.Stat("../golden/testdata/shell"); err != nil {
		t.Skip("no golden cases")
	}
	for _, s := range seeds(t) {
		res, err := Find([]byte(s), Bash)
		if err != nil {
			continue
		}
		for _, inv := range res.Invocations {
			checkInvocation(t, []byte(s), inv)
		}
	}
}

func TestWrapperVariables(t *testing.T) {
	for src, want := range map[string]int{
		"$SUDO docker run img\n":             1,
		"${sudo} time docker run img\n":      1,
		"$SUDO_CMD nice -n 5 podman run x\n": 1,
		"$RUNNER docker run img\n":           0, // any other variable may be anything
		"$SUDO\n":                            0,
	} {
		res, err := Find([]byte(src), Bash)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(res.Invocations); got != want {
			t.Errorf("%q: %d invocations, want %d", src, got, want)
		}
	}
}
