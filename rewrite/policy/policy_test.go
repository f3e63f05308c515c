package policy

import (
	"strings"
	"testing"
)

func TestParseVolume(t *testing.T) {
	tests := []struct {
		spec string
		want Volume
		ok   bool
	}{
		{"/data", Volume{Target: "/data"}, true},
		{"./a:/b", Volume{Source: "./a", Target: "/b"}, true},
		{"./a:/b:ro,z", Volume{Source: "./a", Target: "/b", Mode: "ro,z", HasMode: true}, true},
		{`C:\Users\me:/win`, Volume{Source: `C:\Users\me`, Target: "/win"}, true},
		{`C:\src:D:\dst:ro`, Volume{Source: `C:\src`, Target: `D:\dst`, Mode: "ro", HasMode: true}, true},
		{"${DATA:-./data}:/data", Volume{Source: "${DATA:-./data}", Target: "/data"}, true},
		{"${A:-${B:-x:y}}:/d:z", Volume{Source: "${A:-${B:-x:y}}", Target: "/d", Mode: "z", HasMode: true}, true},
		{"a:b:c:d", Volume{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseVolume(tt.spec)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseVolume(%q) = %+v, %v; want %+v, %v", tt.spec, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIsBindSource(t *testing.T) {
	for src, want := range map[string]bool{
		"./conf": true, "/srv": true, "~/x": true, `\\.\pipe\x`: true, `C:\x`: true, "${HOME}/x": true,
		"data": false, "": false, "db-data": false,
	} {
		if got := IsBindSource(src); got != want {
			t.Errorf("IsBindSource(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestNoNewPrivileges(t *testing.T) {
	for opt, want := range map[string]Tri{
		"no-new-privileges": On, "no-new-privileges:true": On, "no-new-privileges=true": On, "no-new-privileges=1": On,
		"no-new-privileges:false": Off, "no-new-privileges=false": Off, "no-new-privileges=${NNP}": Dynamic,
		"label:disable": Absent, "seccomp=unconfined": Absent, "no-new-privilegesx": Absent,
	} {
		if got := NoNewPrivileges(opt); got != want {
			t.Errorf("NoNewPrivileges(%q) = %v, want %v", opt, got, want)
		}
	}
}

func TestClassifyMode(t *testing.T) {
	for mode, want := range map[string]ModeState{
		"": ModeDefault, "z": ModeDefault, "cached": ModeDefault, "ro": ModeReadOnly, "ro,Z": ModeReadOnly,
		"z,ro": ModeReadOnly, "rw": ModeReadWrite, "rw,z": ModeReadWrite, "${MODE}": ModeDynamic, "O": ModeOverlay,
	} {
		if got := ClassifyMode(mode); got != want {
			t.Errorf("ClassifyMode(%q) = %v, want %v", mode, got, want)
		}
	}
}

func TestDecide(t *testing.T) {
	tests := []struct {
		mode   ROMounts
		m      Mount
		ro     bool
		warned bool
	}{
		{ROMountsAuto, Mount{Source: "./nginx.conf", Target: "/etc/nginx/nginx.conf", Bind: true}, true, false},
		{ROMountsAuto, Mount{Source: "./conf", Target: "/etc/app", Bind: true}, true, false},
		{ROMountsAuto, Mount{Source: "./settings.toml", Target: "/app/settings.toml", Bind: true}, true, false},
		{ROMountsAuto, Mount{Source: "/var/run/docker.sock", Target: "/var/run/docker.sock", Bind: true}, true, true},
		{ROMountsAuto, Mount{Source: "./data", Target: "/data", Bind: true}, false, false},
		{ROMountsAuto, Mount{Source: "./letsencrypt", Target: "/etc/letsencrypt", Bind: true}, false, false},
		{ROMountsAuto, Mount{Source: "./acme.json", Target: "/acme.json", Bind: true}, false, false},
		{ROMountsAuto, Mount{Source: "./db.sqlite3", Target: "/app/db.sqlite3", Bind: true}, false, false},
		{ROMountsAuto, Mount{Source: "~/.aws", Target: "/root/.aws", Bind: true}, false, false},
		{ROMountsAuto, Mount{Source: "data", Target: "/etc/app", Bind: false}, false, false},
		{ROMountsBinds, Mount{Source: "./data", Target: "/data", Bind: true}, true, false},
		{ROMountsBinds, Mount{Source: "./app.db", Target: "/app.db", Bind: true}, false, false},
		{ROMountsOff, Mount{Source: "./nginx.conf", Target: "/etc/nginx/nginx.conf", Bind: true}, false, false},
		// A dot in a name does not make a file.
		{ROMountsAuto, Mount{Source: "/etc/cni/net.d", Target: "/host/etc/cni/net.d", Bind: true}, false, false},
		{ROMountsAuto, Mount{Source: "/var/lib/kubelet/plugins/pd.csi.storage.gke.io/", Target: "/csi", Bind: true}, false, false},
		{ROMountsAuto, Mount{Source: "/var/lib/kubelet/plugins/pd.csi.storage.gke.io", Target: "/csi", Bind: true}, false, false},
		{ROMountsAuto, Mount{Source: "./ci/certbot/post-setup.d/", Target: "/post-setup.d", Bind: true}, false, false},
		{ROMountsAuto, Mount{Source: "./conf/app.yaml/", Target: "/app/conf", Bind: true}, false, false},
		{ROMountsAuto, Mount{Source: "./init.sql", Target: "/docker-entrypoint-initdb.d/init.sql", Bind: true}, true, false},
		{ROMountsAuto, Mount{Source: "/dev/kmsg", Target: "/dev/kmsg", Bind: true, Kind: PathFile}, true, false},
		{ROMountsAuto, Mount{Source: "/srv/app.conf", Target: "/srv/app", Bind: true, Kind: PathDir}, false, false},
		{ROMountsAuto, Mount{Source: "/etc/cni/net.d", Target: "/etc/cni/net.d", Bind: true}, false, false},
		{ROMountsAuto, Mount{Source: "/etc/projects", Target: "/etc/projects", Bind: true, Kind: PathFile, Created: true}, false, false},
	}
	for _, tt := range tests {
		d := Policy{ROMounts: tt.mode}.Decide(tt.m)
		if d.ReadOnly != tt.ro || (d.Warning != "") != tt.warned {
			t.Errorf("%v.Decide(%+v) = %+v; want ro=%v warned=%v", tt.mode, tt.m, d, tt.ro, tt.warned)
		}
	}
}

// TestDecideStat checks that what the tree holds decides for a relative
// source: a file without an extension is a file, a directory named like a
// file is none; absolute and variable paths are never looked up.
func TestDecideStat(t *testing.T) {
	tree := map[string]PathKind{"htpasswd": PathFile, "conf/site.conf": PathDir}
	var asked []string
	pol := Policy{ROMounts: ROMountsAuto, Stat: func(rel string) PathKind {
		asked = append(asked, rel)
		return tree[rel]
	}}
	for _, tt := range []struct {
		src string
		ro  bool
	}{
		{"./htpasswd", true},
		{"./conf/site.conf", false},
		{"./missing.conf", true}, // unknown to the tree: its name decides
		{"/srv/htpasswd", false},
		{"${PWD}/htpasswd", false},
	} {
		if d := pol.Decide(Mount{Source: tt.src, Target: "/srv/x", Bind: true}); d.ReadOnly != tt.ro {
			t.Errorf("Decide(%s) = %+v; want ro=%v", tt.src, d, tt.ro)
		}
	}
	if want := "htpasswd conf/site.conf missing.conf"; strings.Join(asked, " ") != want {
		t.Errorf("Stat asked %q, want %q", asked, want)
	}
}
