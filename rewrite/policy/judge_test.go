package policy

import (
	"reflect"
	"strings"
	"testing"
)

func TestJudge(t *testing.T) {
	tests := []struct {
		name     string
		image    string
		role     Role
		alone    bool
		writable bool
		reason   string // a part of the reason
	}{
		{"service", "nginx:1.27", Role{Command: []string{"nginx", "-g", "daemon off;"}}, false, false, ""},
		{"privileged", "docker:dind", Role{Privileged: true}, true, false, "privileged"},
		{"never started", "alpine", Role{NeverStarted: "line 4: docker cp $id:/x ."}, true, false, "line 4: docker cp"},
		{"windows image", "mcr.microsoft.com/windows/servercore:ltsc2022", Role{}, true, false, "Windows"},
		{"nanoserver tag", "mcr.microsoft.com/powershell:lts-nanoserver-1809", Role{}, true, false, "Windows"},
		{"windowsservercore tag", "mongo:windowsservercore", Role{}, true, false, "Windows"},
		{"windows platform", "app", Role{Platform: "windows/amd64"}, true, false, "platform windows/amd64"},
		{"isolation", "app", Role{Isolation: "hyperv"}, true, false, "isolation hyperv"},
		{"default isolation is linux", "app", Role{Isolation: "default"}, false, false, ""},
		{"drive target", "app", Role{Binds: []Bind{{`C:\src`, `C:\src`}}}, true, false, `C:\src`},
		{"drive source only", "nginx", Role{Binds: []Bind{{`C:\conf\nginx.conf`, "/etc/nginx/nginx.conf"}}}, false, false, ""},
		{"pipe", "app", Role{Binds: []Bind{{`\\.\pipe\docker_engine`, `\\.\pipe\docker_engine`}}}, true, false, "named pipe"},
		{"sibling", "app", Role{WindowsSibling: "service db of this file is one"}, true, false, "service db"},
		{"windows tag", "registry.k8s.io/sig-storage/smbplugin:v1.20.3-windows-hp", Role{}, true, false, "Windows"},
		{"-windows build", "stefanscherer/traefik-windows:v1.7.12", Role{}, true, false, "Windows"},
		{"nano tag", "stefanscherer/mongo-windows:3.4.1-nano", Role{}, true, false, "Windows"},
		{"drive target in a spec", "msbuild", Role{Paths: []string{"C:$(pwd):C:/code"}}, true, false, "C:/code"},
		{"cp path", "docker", Role{Paths: []string{"$image:C:/go/bin/docker.exe"}}, true, false, "C:/go"},
		{"drive source in a spec", "nginx", Role{Paths: []string{`C:\conf\nginx.conf:/etc/nginx/nginx.conf`}}, false, false, ""},
		{"ps1 command", "docker", Role{Command: []string{`hack\make.ps1`, "-Binary"}}, true, false, "make.ps1"},
		{"cmd /c", "builder", Role{Command: []string{"cmd", "/c", "build.cmd"}}, true, false, "cmd"},
		{"pwsh runs on linux", "mcr.microsoft.com/powershell:7.4-ubuntu-22.04", Role{Command: []string{"pwsh", "-c", "Get-Date"}}, false, false, ""},
		{"changed later", "alpine", Role{ChangedBy: "line 9: docker exec $CID apk add"}, false, true, "line 9"},
		{"make", "golang:1.22", Role{Command: []string{"make", "vendor"}}, false, true, "make vendor"},
		{"go build in sh -c", "golang", Role{Command: []string{"sh", "-c", "cd /src && go build ./..."}}, false, true, "GOPATH"},
		{"go version is no job", "golang", Role{Command: []string{"go", "version"}}, false, false, ""},
		{"npm start is a service", "node:20", Role{Command: []string{"npm", "start"}}, false, false, ""},
		{"npm ci", "node:20", Role{Command: []string{"npm", "ci"}}, false, true, "~/.npm"},
		{"python -m pip", "python", Role{Command: []string{"python3", "-m", "pip", "install", "-r", "r.txt"}}, false, true, "pip install"},
		{"sudo wrapper", "ubuntu", Role{Command: []string{"bash", "-c", "sudo -E apt-get install -y git"}}, false, true, "apt-get install"},
		{"env assignment", "node", Role{Command: []string{"sh", "-c", "CI=1 yarn"}}, false, true, "yarn"},
		{"interactive shell", "python:3.12", Role{Interactive: true, Command: []string{"bash"}}, false, true, "-it bash"},
		{"interactive distro", "ubuntu:24.04", Role{Interactive: true}, false, true, "default command"},
		{"interactive app", "nginx", Role{Interactive: true}, false, false, ""},
		{"source tree workdir", "node", Role{WorkDir: "/src", Binds: []Bind{{"$PWD", "/src"}}}, false, true, "working directory /src"},
		{"workdir under the bind", "node", Role{WorkDir: "/src/app", Binds: []Bind{{".", "/src/"}}}, false, true, "/src/app"},
		{"config bind is no source tree", "app", Role{WorkDir: "/app", Binds: []Bind{{"./app.toml", "/app/app.toml"}}}, false, false, ""},
		{"privileged before job", "golang", Role{Privileged: true, Command: []string{"make"}}, true, false, "privileged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := Judge(tt.image, tt.role)
			if j.Alone != tt.alone || j.Writable != tt.writable {
				t.Fatalf("Judge = %+v, want alone %v writable %v", j, tt.alone, tt.writable)
			}
			if !strings.Contains(j.Reason, tt.reason) {
				t.Errorf("reason %q does not say %q", j.Reason, tt.reason)
			}
		})
	}
}

func TestChangesRoot(t *testing.T) {
	mounts := []string{"/data"}
	tests := []struct {
		cmd  []string
		want string
	}{
		{[]string{"apt-get", "update"}, "apt-get update"},
		{[]string{"microdnf", "install", "sysstat"}, "microdnf install sysstat"},
		{[]string{"apk", "add", "--no-cache", "curl"}, "apk add"},
		{[]string{"sh", "-c", "mkdir -p /ca && cp /tmp/ca.pem /ca"}, "mkdir /ca"},
		{[]string{"sh", "-c", "echo x > /etc/app.conf"}, "echo x > /etc/app.conf"},
		{[]string{"sed", "-i", "s/a/b/", "/etc/x"}, "sed s/a/b/ /etc/x"},
		{[]string{"pip", "install", "requests"}, "pip install requests"},
		// only reads, or writes where a mount or /tmp is
		{[]string{"psql", "-U", "postgres", "-c", "select 1"}, ""},
		{[]string{"redis-cli", "FLUSHDB"}, ""},
		{[]string{"cat", "/etc/os-release"}, ""},
		{[]string{"mkdir", "-p", "/tmp/x"}, ""},
		{[]string{"sh", "-c", "echo 'Touchme' > /data/touchme.txt"}, ""},
		{[]string{"sh", "-c", "pg_isready 2>/dev/null"}, ""},
		{[]string{"sed", "s/a/b/", "/etc/x"}, ""},
	}
	for _, tt := range tests {
		if got := ChangesRoot(tt.cmd, mounts); got != tt.want {
			t.Errorf("ChangesRoot(%q) = %q, want %q", tt.cmd, got, tt.want)
		}
	}
}

func TestShellFields(t *testing.T) {
	tests := map[string][]string{
		`sh -c "npm install && npm run dev"`: {"sh", "-c", "npm install && npm run dev"},
		`bash -c 'make -j4' x`:               {"bash", "-c", "make -j4", "x"},
		`echo a\ b "c \" d"`:                 {"echo", "a b", `c " d`},
		`  `:                                 nil,
	}
	for in, want := range tests {
		if got := ShellFields(in); !reflect.DeepEqual(got, want) {
			t.Errorf("ShellFields(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSimpleCommands(t *testing.T) {
	got := simpleCommands([]string{"/bin/sh", "-ec", "cd /src; FOO=1 time make build\nnpm ci || (exec yarn)"})
	want := [][]string{{"cd", "/src"}, {"make", "build"}, {"npm", "ci"}, {"yarn"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("simpleCommands = %q, want %q", got, want)
	}
}

// TestJudgeTables checks the data: every tool says what it writes, no
// tool or pattern is listed twice, and the Windows patterns are valid.
func TestJudgeTables(t *testing.T) {
	seen := map[string]bool{}
	for _, tool := range jobTools {
		if tool.Writes == "" {
			t.Errorf("job tool %s does not say what it writes", tool.Tool)
		}
		if seen[tool.Tool] {
			t.Errorf("job tool %s listed twice", tool.Tool)
		}
		seen[tool.Tool] = true
	}
	seen = map[string]bool{}
	for _, tool := range rootWriters {
		if seen[tool.Tool] {
			t.Errorf("root writer %s listed twice", tool.Tool)
		}
		seen[tool.Tool] = true
	}
	for _, p := range append(windowsImages, shellImages...) {
		if p != strings.ToLower(p) || strings.TrimSpace(p) != p {
			t.Errorf("pattern %q is not lower-case and trimmed", p)
		}
	}
	for _, linux := range []string{"nginx:1.27", "postgres:16-alpine", "ubuntu:24.04", "mcr.microsoft.com/dotnet/aspnet:8.0", "mcr.microsoft.com/mssql/server:2019-latest"} {
		if why := Windows(linux, Role{}); why != "" {
			t.Errorf("Windows(%s) = %q, want a Linux image", linux, why)
		}
	}
}
