package policy

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestImageEvidence is the built-in table's evidence test: every fact of
// every entry (VOLUME, USER, tmpfs, state and no-tmpfs paths, settings,
// traits, a verdict no, the checks of a verdict cond) carries evidence
// from the image's own files whose quote mentions it. It lists every
// fact that does not, by file.
func TestImageEvidence(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("images", "*.yaml"))
	total := 0
	for _, f := range files {
		for _, e := range readSource(t, f) {
			for _, p := range e.Unproven() {
				t.Errorf("%s: %s", f, p)
				total++
			}
		}
	}
	if total > 0 {
		t.Logf("%d facts of the built-in table lack evidence (see README.md, Image knowledge: how an entry is verified)", total)
	}
}

// TestTableFrom: every from: of the built-in table names a known image,
// and no chain of from: comes back to where it started.
func TestTableFrom(t *testing.T) {
	k := Builtin()
	for _, e := range k.Entries {
		if e.From == "" {
			continue
		}
		seen := map[string]bool{e.Name: true}
		for cur := e; cur != nil && cur.From != ""; {
			base := strings.ReplaceAll(cur.From, "{version}", cur.Latest)
			var next *ImageEntry
			for _, b := range k.Lookup(base).Entries {
				if b.Inherited == "" {
					next = tableEntryNamed(k, b.Name)
					break
				}
			}
			if next == nil {
				t.Errorf("%s: from %s: no entry of the table matches %s", e.Name, cur.From, base)
				break
			}
			if seen[next.Name] {
				t.Errorf("%s: from: makes a cycle through %s", e.Name, next.Name)
				break
			}
			seen[next.Name] = true
			cur = next
		}
	}
}

func tableEntryNamed(k *Knowledge, name string) *ImageEntry {
	for _, e := range k.Entries {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// TestParseEvidence: the evidence grammar, its parts, and what it refuses.
func TestParseEvidence(t *testing.T) {
	good := []struct {
		in   string
		want Evidence
	}{
		{`docker-library/postgres@6edb0a8 17/bookworm/Dockerfile#L186 "VOLUME /var/lib/postgresql/data"`,
			Evidence{"docker-library/postgres", "6edb0a8", "17/bookworm/Dockerfile", 186, 186, "VOLUME /var/lib/postgresql/data"}},
		{`docker-library/mysql@7f30fdb0a8b4c2d1e3f5a6b7c8d9e0f1a2b3c4d5 8.4/Dockerfile.oracle#L112-L114 "VOLUME ["/var/lib/mysql"]"`,
			Evidence{"docker-library/mysql", "7f30fdb0a8b4c2d1e3f5a6b7c8d9e0f1a2b3c4d5", "8.4/Dockerfile.oracle", 112, 114, `VOLUME ["/var/lib/mysql"]`}},
		{`gitlab.com/group/image@abcdef1 Dockerfile#L3 "USER 1000"`,
			Evidence{"gitlab.com/group/image", "abcdef1", "Dockerfile", 3, 3, "USER 1000"}},
	}
	for _, tt := range good {
		got, err := ParseEvidence(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseEvidence(%s) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if got.String() != tt.in {
			t.Errorf("ParseEvidence(%s).String() = %s", tt.in, got.String())
		}
	}
	for _, bad := range []string{
		`docker-library/postgres@6edb0a8 17/bookworm/Dockerfile#L186`,                                           // no quote
		`docker-library/postgres 17/bookworm/Dockerfile#L186 "VOLUME /x"`,                                       // no commit
		`docker-library/postgres@6edb0a 17/bookworm/Dockerfile#L186 "VOLUME /x"`,                                // 6 hex digits
		`docker-library/postgres@6EDB0A8 17/bookworm/Dockerfile#L186 "VOLUME /x"`,                               // upper case
		`docker-library/postgres@main 17/bookworm/Dockerfile#L186 "VOLUME /x"`,                                  // a branch
		`postgres@6edb0a8 17/bookworm/Dockerfile#L186 "VOLUME /x"`,                                              // no owner
		`docker-library/postgres@6edb0a8 17/bookworm/Dockerfile "VOLUME /x"`,                                    // no line
		`docker-library/postgres@6edb0a8 17/bookworm/Dockerfile#L0 "VOLUME /x"`,                                 // line 0
		`docker-library/postgres@6edb0a8 17/bookworm/Dockerfile#L9-L3 "VOLUME /x"`,                              // backwards
		`docker-library/postgres@6edb0a8 17/bookworm/Dockerfile#L186 ""`,                                        // empty quote
		`docker-library/postgres@6edb0a8 17/bookworm/Dockerfile#L186 " VOLUME /x"`,                              // padded
		`https://github.com/docker-library/docs/blob/master/postgres/content.md#L97`,                            // a link
		`docker-library/postgres@6edb0a8 /17/bookworm/Dockerfile#L186 "VOLUME /x"`,                              // absolute file
		`docker-library/postgres@6edb0a8 17/bookworm/Dockerfile#L186 "` + strings.Repeat("x", maxQuote+1) + `"`, // long
	} {
		if _, err := ParseEvidence(bad); err == nil {
			t.Errorf("ParseEvidence(%s) = nil error", bad)
		}
	}
}

// TestUnproven: what the evidence test holds against an entry.
func TestUnproven(t *testing.T) {
	const pg = `docker-library/postgres@6edb0a8 17/bookworm/Dockerfile#L%d "%s"`
	ev := func(line int, quote string) []string { return []string{fmt.Sprintf(pg, line, quote)} }
	tests := []struct {
		name  string
		entry string
		want  []string // substrings, one per problem, in order
	}{
		{"all pinned", `
- name: pg
  match: [pg]
  latest: "18"
  read: "2026-12-07"
  user: {value: postgres, evidence: ['` + ev(9, "USER postgres")[0] + `']}
  tmpfs: [{path: /run/postgresql, evidence: ['` + ev(177, "mkdir -p /var/run/postgresql")[0] + `']}]
  verdict: cond
  checks: [{env: POSTGRES_INITDB_WALDIR, unset: true, evidence: ['` + ev(60, `if [ -n "$POSTGRES_INITDB_WALDIR" ]; then`)[0] + `']}]
  ranges:
    - versions: "<18"
      image_volumes: [{path: /var/lib/postgresql/data, evidence: ['` + ev(186, "VOLUME /var/lib/postgresql/data")[0] + `']}]
`, nil},
		{"unpinned facts", `
- name: pg
  match: [pg]
  tmpfs: [/run/postgresql]
  env: [{name: X, value: "1", why: w}]
  traits: [jvm]
  verdict: "no"
`, []string{"pg: tmpfs /run/postgresql: no evidence", "pg: env X: no evidence", "pg: trait jvm: no evidence", "pg: verdict: no evidence"}},
		{"quotes that do not mention their fact", `
- name: pg
  match: [pg]
  latest: "18"
  read: "2026-12-07"
  user: {value: "999", evidence: ['` + ev(9, "USER postgres")[0] + `']}
  volumes: [{path: /var/lib/postgresql/data, evidence: ['` + ev(186, "ENV PGDATA /var/lib/pgsql")[0] + `']}]
  ranges:
    - versions: ">=18"
      image_volumes: [{path: /var/lib/postgresql, evidence: ['` + ev(186, "WORKDIR /var/lib/postgresql")[0] + `']}]
  verdict: "yes"
`, []string{"pg: user: no quote mentions 999", "pg: volume /var/lib/postgresql/data: no quote mentions", "pg >=18: image_volume /var/lib/postgresql: no quote mentions VOLUME"}},
		{"malformed evidence, cond without checks", `
- name: pg
  match: [pg]
  no_tmpfs: [{path: /etc/pg, evidence: ["docker-library/postgres Dockerfile#L3 'COPY pg /etc/pg'"]}]
  verdict: cond
`, []string{"pg: no_tmpfs /etc/pg: evidence", "pg: verdict cond without checks"}},
		{"a family's path: one member's path counts", `
- name: fam
  match: ["fam/*"]
  volumes: [{path: "/fam/{name}", evidence: ['` + ev(5, `export PG_VOLUME_DIR="/fam/postgresql"`)[0] + `']}]
  tmpfs: [{path: "/opt/fam/{name}/run", evidence: ['` + ev(6, `export PG_BASE_DIR="/opt/fam/postgresql"`)[0] + `']}]
  verdict: "yes"
`, []string{"fam: tmpfs /opt/fam/{name}/run: no quote mentions"}},
	}
	for _, tt := range tests {
		k, err := ParseTable([]byte(tt.entry))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got := k.Entries[0].Unproven()
		ok := len(got) == len(tt.want)
		for i := 0; ok && i < len(got); i++ {
			ok = strings.Contains(got[i], tt.want[i])
		}
		if !ok {
			t.Errorf("%s: Unproven() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
