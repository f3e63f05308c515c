package trial

import (
	"slices"
	"strings"
	"testing"
)

// TestROLines: the lines that report a write refused by a read-only root,
// as servers and runtimes print them, are kept (trimmed, once each, at
// most max); other lines are not.
func TestROLines(t *testing.T) {
	logs := strings.Join([]string{
		`2026/12/07 16:40:01 [notice] 1#1: using the "epoll" event method`,
		`nginx: [alert] could not open error log file: open() "/var/log/nginx/error.log" failed (30: Read-only file system)`,
		`2026/12/07 16:40:01 [emerg] 1#1: open() "/var/log/nginx/error.log" failed (30: Read-only file system)   `,
		`2026/12/07 16:40:01 [emerg] 1#1: open() "/var/log/nginx/error.log" failed (30: Read-only file system)`,
		"mkdir: can't create directory '/var/cache/app': Read-only file system\r",
		`OSError: [Errno 30] Read-only file system: '/app/cache'`,
		`panic: open /data/x: read-only file system`,
		`chown: /var/lib/app/x: Read-only file system`,
		`Error: EROFS: read-only file system, mkdir '/home/node/.npm'`,
		`mount: /mnt: cannot remount, read-only filesystem`,
		`redis: the replica is read-only mode`,
		`INFO serving in read-only mode`,
		``,
	}, "\n")
	want := []string{
		`nginx: [alert] could not open error log file: open() "/var/log/nginx/error.log" failed (30: Read-only file system)`,
		`2026/12/07 16:40:01 [emerg] 1#1: open() "/var/log/nginx/error.log" failed (30: Read-only file system)`,
		`mkdir: can't create directory '/var/cache/app': Read-only file system`,
		`OSError: [Errno 30] Read-only file system: '/app/cache'`,
		`panic: open /data/x: read-only file system`,
		`chown: /var/lib/app/x: Read-only file system`,
		`Error: EROFS: read-only file system, mkdir '/home/node/.npm'`,
		`mount: /mnt: cannot remount, read-only filesystem`,
	}
	if got := ROLines(logs, 100); !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := ROLines(logs, 3); !slices.Equal(got, want[:3]) {
		t.Errorf("max 3: got %q", got)
	}
	if got := ROLines("started\nlistening on :8080\n", 5); got != nil {
		t.Errorf("no read-only line: got %q", got)
	}
	if got := ROLines("Error: EROFS, open '/x/y'", 5); len(got) != 1 {
		t.Errorf("the errno's name alone: got %q", got)
	}
}

// TestROPaths: the absolute paths read-only lines name, cleaned, in order,
// once each; several for a line that names several; none for relative
// paths, dates, URLs or the root.
func TestROPaths(t *testing.T) {
	cases := []struct {
		line string
		want []string
	}{
		{`2026/12/07 16:40:01 [emerg] 1#1: open() "/var/log/nginx/error.log" failed (30: Read-only file system)`, []string{"/var/log/nginx/error.log"}},
		{`mkdir: can't create directory '/var/cache/app': Read-only file system`, []string{"/var/cache/app"}},
		{`touch: /tmp/x: Read-only file system`, []string{"/tmp/x"}},
		{`OSError: [Errno 30] Read-only file system: '/app/cache'`, []string{"/app/cache"}},
		{`open /data/x: read-only file system`, []string{"/data/x"}},
		{`chown: changing ownership of '/var/lib/app/x': Read-only file system`, []string{"/var/lib/app/x"}},
		{`java.nio.file.FileSystemException: /opt/app/logs/app.log: Read-only file system`, []string{"/opt/app/logs/app.log"}},
		{`Error: EROFS: read-only file system, open '/usr/src/app/.cache/x'`, []string{"/usr/src/app/.cache/x"}},
		{`rename /srv/a/b.tmp /srv/a/b: read-only file system`, []string{"/srv/a/b.tmp", "/srv/a/b"}},
		{`cp: cannot create regular file '/etc/app/app.conf' (from /tmp/app.conf): Read-only file system`, []string{"/etc/app/app.conf", "/tmp/app.conf"}},
		{`could not write pid=/run//app/./app.pid; read-only file system`, []string{"/run/app/app.pid"}},
		{`cannot write /var/run/app.pid. Read-only file system`, []string{"/var/run/app.pid"}},
		{`[/var/lib/x] EROFS`, []string{"/var/lib/x"}},
		{`open data/x: read-only file system`, nil},
		{`GET https://example.com/upload: read-only file system`, nil},
		{`mkdir /: read-only file system`, nil},
	}
	for _, c := range cases {
		if got := ROPaths([]string{c.line}); !slices.Equal(got, c.want) {
			t.Errorf("%s\n  got %q, want %q", c.line, got, c.want)
		}
	}
	lines := []string{
		`open() "/var/log/nginx/error.log" failed (30: Read-only file system)`,
		`open() "/var/log/nginx/access.log" failed (30: Read-only file system)`,
		`open() "/var/log/nginx/error.log" failed (30: Read-only file system)`,
	}
	if got, want := ROPaths(lines), []string{"/var/log/nginx/error.log", "/var/log/nginx/access.log"}; !slices.Equal(got, want) {
		t.Errorf("several lines: got %q, want %q", got, want)
	}
}

// TestRepairDir: the directory to mount for a refused write, from what the
// path is in the image (a fake kind function stands for the engine's
// stat).
func TestRepairDir(t *testing.T) {
	image := map[string]pathKind{
		"/var": isDir, "/var/log": isDir, "/var/log/nginx": isDir, "/var/cache": isDir,
		"/etc": isDir, "/etc/app": isDir, "/etc/app/app.conf": isFile,
		"/app": isDir, "/home": isDir, "/home/node": isDir, "/root": isDir, "/run": isDir,
	}
	kind := func(p string) pathKind { return image[p] }
	cases := []struct{ name, p, want string }{
		{"a directory of the image: itself", "/var/log/nginx", "/var/log/nginx"},
		{"a file of the image: its directory", "/etc/app/app.conf", "/etc/app"},
		{"a new file in a directory of the image: the directory", "/var/log/nginx/error.log", "/var/log/nginx"},
		{"a new directory in a directory of the image: itself", "/var/cache/app", "/var/cache/app"},
		{"a new file deep in new directories: the topmost new one", "/app/cache/x/y.db", "/app/cache"},
		{"a new directory at the top: itself", "/data", "/data"},
		{"a new file below a new top directory: that directory", "/data/x", "/data"},
		{"a new pid file in /run: /run", "/run/app.pid", "/run"},
		{"a new file in /: nothing to mount but /", "/app.pid", "/"},
		{"a new dot-directory in a home (npm's cache): itself, not the home", "/home/node/.npm", "/home/node/.npm"},
		{"a new dot-directory in root's home (pip's cache): itself, not the home", "/root/.cache", "/root/.cache"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := repairDir(c.p, kind); got != c.want {
				t.Errorf("repairDir(%s) = %s, want %s", c.p, got, c.want)
			}
		})
	}
}

// TestTellingLine: a withheld service's reason quotes the line that reads
// like an error, not the shutdown noise after it; without one, the last.
func TestTellingLine(t *testing.T) {
	for _, tt := range []struct {
		lines []string
		want  string
	}{
		{[]string{"Closing HTTP(S) port [::]:3128", "FATAL: I don't handle this error well!", "Squid exiting"}, "FATAL: I don't handle this error well!"},
		{[]string{"starting", "opening errorlog '/var/log/lighttpd/error.log' failed: Permission denied"}, "opening errorlog '/var/log/lighttpd/error.log' failed: Permission denied"},
		{[]string{"starting", "stopped"}, "stopped"},
		{nil, ""},
	} {
		if got := tellingLine(tt.lines); got != tt.want {
			t.Errorf("tellingLine(%q) = %q, want %q", tt.lines, got, tt.want)
		}
	}
}
