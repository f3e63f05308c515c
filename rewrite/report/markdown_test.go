package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// genTree returns n generated files: compose files of three services (one
// with an explicit read_only: false a person must look at) and scripts.
func genTree(n int) []File {
	var files []File
	for i := range n {
		var in input
		if i%3 == 2 {
			in = input{path: fmt.Sprintf("svc%04d/deploy/run.sh", i),
				src: []byte(fmt.Sprintf("#!/bin/sh\ndocker run -d --name app%d -v \"$PWD/app.toml:/etc/app/app.toml\" example/app:%d\n", i, i))}
		} else {
			in = input{path: fmt.Sprintf("svc%04d/compose.yaml", i),
				src: []byte(fmt.Sprintf("services:\n  web%d:\n    image: nginx\n    volumes:\n      - ./nginx.conf:/etc/nginx/nginx.conf\n  worker:\n    image: app\n  db:\n    image: postgres\n    read_only: false\n", i))}
		}
		in.pol = defaultPolicy()
		files = append(files, FromResult(in.path, process(in)))
	}
	return files
}

func markdown(t *testing.T, files []File, budget int) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteMarkdown(&b, files, budget); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestMarkdownSmallRun: every changed file and every rule is named, changes
// are grouped by service and command, what needs a person is listed, and
// the why of each rule is given.
func TestMarkdownSmallRun(t *testing.T) {
	files := genTree(3)
	md := markdown(t, files, 0)
	for _, want := range []string{
		"**rofix hardened 6 services and 1 run command in 3 files.** 2 findings need a person.\n",
		"### `svc0000/compose.yaml`\n",
		"### `svc0001/compose.yaml`\n",
		"### `svc0002/deploy/run.sh`\n",
		"- **Service `web0`** (line 2)\n  - Read-only root filesystem: read_only: true added to service web0\n",
		"- **Command `docker run`** (line 2)\n",
		"- **Needs a person:**\n  - Read-only root filesystem (line 10, service `db`): read_only: false is an explicit choice; kept, so no tmpfs is added\n",
		"| Read-only bind mounts | 3 | 0 |\n",
		"### Why\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	for _, d := range Rules()[:4] {
		if !strings.Contains(md, "**"+d.Title+"** (`"+string(d.ID)+"`)") {
			t.Errorf("the why of %s is missing", d.ID)
		}
	}
	if md != markdown(t, files, 0) {
		t.Error("two renderings of the same run differ")
	}
}

// TestMarkdownLargeTree: on generated trees of hundreds and thousands of
// files the body stays within budget, made of whole lines, deterministic;
// files past the budget are summarised (first in one line each, then
// counted), never cut, and the files named are the first ones, in order.
func TestMarkdownLargeTree(t *testing.T) {
	for _, tc := range []struct {
		n                       int
		details, brief, counted bool
	}{
		{n: 300, details: true, brief: true},
		{n: 3000, brief: true, counted: true},
	} {
		files := genTree(tc.n)
		md := markdown(t, files, 0)
		if len(md) > MarkdownBudget || len(md) >= 65536 {
			t.Fatalf("%d files: markdown is %d bytes, over the budget", tc.n, len(md))
		}
		if !strings.HasSuffix(md, "\n") || !strings.Contains(md, "\n### Why\n") {
			t.Errorf("%d files: the body does not end with the why section:\n%s", tc.n, md[max(0, len(md)-500):])
		}
		if md != markdown(t, files, 0) {
			t.Errorf("%d files: two renderings of the same run differ", tc.n)
		}
		details := strings.Count(md, "\n### `")
		brief := len(regexp.MustCompile("(?m)^- `svc[0-9]+/[^`]+`: changed: ").FindAllString(md, -1))
		rest := 0
		if m := regexp.MustCompile(`(?m)^- …and ([0-9]+) more files? not listed here; `).FindStringSubmatch(md); m != nil {
			fmt.Sscan(m[1], &rest)
		}
		if (details > 0) != tc.details || (brief > 0) != tc.brief || (rest > 0) != tc.counted {
			t.Errorf("%d files: %d in detail, %d in brief, %d counted", tc.n, details, brief, rest)
		}
		if details+brief+rest != len(files) {
			t.Errorf("%d files: %d in detail + %d in brief + %d counted", tc.n, details, brief, rest)
		}
		for i := range details + brief {
			if !strings.Contains(md, "`"+files[i].Path+"`") {
				t.Errorf("%d files: file %d (%s) not named", tc.n, i, files[i].Path)
			}
		}
		composeFiles := tc.n / 3 * 2 // three services each, one read_only: false
		want := fmt.Sprintf("**rofix hardened %d services and %d run commands in %d files.** %d findings need a person.", 3*composeFiles, tc.n/3, tc.n, composeFiles)
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

// TestMarkdownBudgetLevels: as the budget shrinks, files move from details
// to brief lines to the count, and the body always fits.
func TestMarkdownBudgetLevels(t *testing.T) {
	files := genTree(40)
	full := markdown(t, files, 1<<20)
	if strings.Contains(full, "in brief") {
		t.Fatal("a large budget still summarises")
	}
	for _, budget := range []int{len(full), len(full) - 1, len(full) / 2, 9000, 6000, 5000} {
		md := markdown(t, files, budget)
		if len(md) > budget {
			t.Errorf("budget %d: %d bytes", budget, len(md))
		}
		if budget < len(full) && !strings.Contains(md, "in brief") {
			t.Errorf("budget %d: nothing summarised", budget)
		}
		if budget == len(full) && md != full {
			t.Errorf("budget %d: not the full body", budget)
		}
	}
}

// TestMarkdownEscapes: names and messages cannot inject formatting.
func TestMarkdownEscapes(t *testing.T) {
	in := input{path: "we`ird/compose.yaml", src: []byte("services:\n  \"*evil*_[x](http://e)\":\n    image: a\n"), pol: defaultPolicy()}
	md := markdown(t, []File{FromResult(in.path, process(in))}, 0)
	for _, want := range []string{"### `` we`ird/compose.yaml ``\n", "**Service `*evil*_[x](http://e)`**", "added to service \\*evil\\*\\_\\[x\\](http://e)\n"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// TestMarkdownDirectives: a service skipped by an ignore directive is a
// decision already made: listed as left alone on purpose, not as needing a
// person.
func TestMarkdownDirectives(t *testing.T) {
	in := input{path: "compose.yaml", src: []byte("services:\n  # rofix:ignore -- legacy\n  legacy:\n    image: old\n  app:\n    image: new\n    read_only: false\n"), pol: defaultPolicy()}
	md := markdown(t, []File{FromResult(in.path, process(in))}, 0)
	for _, want := range []string{
		"** 1 finding needs a person.\n",
		"- **Needs a person:**\n  - Read-only root filesystem (line 7, service `app`): read_only: false is an explicit choice",
		"- **Left alone on purpose:**\n  - Ignore directive (line 3, service `legacy`): service legacy skipped by rofix:ignore\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}
