package policy

import "testing"

func TestParseMountOpt(t *testing.T) {
	tests := []struct {
		spec string
		want MountOpt
		ok   bool
	}{
		{"type=bind,source=./a,target=/b", MountOpt{Type: "bind", Source: "./a", Target: "/b"}, true},
		{"type=bind,src=./a,dst=/b,readonly", MountOpt{Type: "bind", Source: "./a", Target: "/b", ReadOnly: On}, true},
		{"Type=Bind,Src=./a,Destination=/b,ro=1", MountOpt{Type: "bind", Source: "./a", Target: "/b", ReadOnly: On}, true},
		{"type=bind,src=./a,dst=/b,readonly=false", MountOpt{Type: "bind", Source: "./a", Target: "/b", ReadOnly: Off}, true},
		{"type=bind,src=./a,dst=/b,ro=${RO}", MountOpt{Type: "bind", Source: "./a", Target: "/b", ReadOnly: Dynamic}, true},
		{"type=tmpfs,destination=/tmp,tmpfs-size=64m", MountOpt{Type: "tmpfs", Target: "/tmp"}, true},
		{"source=data,target=/data", MountOpt{Type: "volume", Source: "data", Target: "/data"}, true},
		{`type=bind,"source=a,b",target=/c`, MountOpt{}, false},
		{"", MountOpt{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseMountOpt(tt.spec)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseMountOpt(%q) = %+v, %v; want %+v, %v", tt.spec, got, ok, tt.want, tt.ok)
		}
	}
}
