package diff_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite/diff"
)

// pair returns a compose-like file of at least size bytes and the same
// file hardened the way rofix does it: lines inserted after each service's
// first line and ":ro" appended to some mounts.
func pair(size int) (a, b []byte) {
	var x, y strings.Builder
	x.WriteString("services:\n")
	y.WriteString("services:\n")
	for i := 0; x.Len() < size; i++ {
		head := fmt.Sprintf("  svc%05d:\n    image: example/app%d:1.0\n", i, i)
		x.WriteString(head)
		y.WriteString(head)
		y.WriteString("    read_only: true\n    tmpfs:\n      - /tmp\n    security_opt:\n      - no-new-privileges:true\n")
		rest := fmt.Sprintf("    ports:\n      - \"%d:80\"\n    environment:\n      MODE: production\n    volumes:\n      - data%d:/var/lib/app\n", 8000+i%1000, i)
		x.WriteString(rest)
		y.WriteString(rest)
		mount := fmt.Sprintf("      - ./conf/app%d.conf:/etc/app/app.conf", i)
		x.WriteString(mount + "\n\n")
		y.WriteString(mount + ":ro\n\n")
	}
	return []byte(x.String()), []byte(y.String())
}

// BenchmarkUnifiedDiff measures rendering the diff of a hardened file (as
// rofix -d prints it) for a typical 2 KB compose file and a 1 MB one.
func BenchmarkUnifiedDiff(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"2KB", 2 << 10}, {"1MB", 1 << 20}} {
		a, c := pair(size.n)
		b.Run(size.name, func(b *testing.B) {
			if len(diff.Unified("a/compose.yaml", "b/compose.yaml", a, c)) == 0 {
				b.Fatal("empty diff")
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(a)))
			for b.Loop() {
				diff.Unified("a/compose.yaml", "b/compose.yaml", a, c)
			}
		})
	}
}
