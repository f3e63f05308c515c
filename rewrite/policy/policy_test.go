package policy

import "testing"

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
		{ROMountsAuto, Mount{"./nginx.conf", "/etc/nginx/nginx.conf", true}, true, false},
		{ROMountsAuto, Mount{"./conf", "/etc/app", true}, true, false},
		{ROMountsAuto, Mount{"./settings.toml", "/app/settings.toml", true}, true, false},
		{ROMountsAuto, Mount{"/var/run/docker.sock", "/var/run/docker.sock", true}, true, true},
		{ROMountsAuto, Mount{"./data", "/data", true}, false, false},
		{ROMountsAuto, Mount{"./letsencrypt", "/etc/letsencrypt", true}, false, false},
		{ROMountsAuto, Mount{"./acme.json", "/acme.json", true}, false, false},
		{ROMountsAuto, Mount{"./db.sqlite3", "/app/db.sqlite3", true}, false, false},
		{ROMountsAuto, Mount{"~/.aws", "/root/.aws", true}, false, false},
		{ROMountsAuto, Mount{"data", "/etc/app", false}, false, false},
		{ROMountsBinds, Mount{"./data", "/data", true}, true, false},
		{ROMountsBinds, Mount{"./app.db", "/app.db", true}, false, false},
		{ROMountsOff, Mount{"./nginx.conf", "/etc/nginx/nginx.conf", true}, false, false},
	}
	for _, tt := range tests {
		d := Policy{ROMounts: tt.mode}.Decide(tt.m)
		if d.ReadOnly != tt.ro || (d.Warning != "") != tt.warned {
			t.Errorf("%v.Decide(%+v) = %+v; want ro=%v warned=%v", tt.mode, tt.m, d, tt.ro, tt.warned)
		}
	}
}
