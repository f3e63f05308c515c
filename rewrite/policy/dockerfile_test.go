package policy

import (
	"reflect"
	"testing"
)

func TestDockerfileFinal(t *testing.T) {
	tests := []struct {
		name string
		src  string
		args map[string]string
		want FinalStage
	}{
		{"one stage", "FROM nginx:1.27\nVOLUME /data\nUSER 101\n",
			nil, FinalStage{Base: "nginx:1.27", Volumes: []string{"/data"}, User: "101"}},
		{"platform and AS, lower case", "from --platform=$BUILDPLATFORM golang:1.22 as build\nfrom gcr.io/distroless/static\n",
			nil, FinalStage{Base: "gcr.io/distroless/static"}},
		{"follows stage references", "FROM postgres:16 AS base\nVOLUME [\"/var/lib/postgresql/data\"]\nUSER postgres\nFROM golang AS build\nFROM base\nCOPY --from=build /x /x\n",
			nil, FinalStage{Base: "postgres:16", Volumes: []string{"/var/lib/postgresql/data"}, User: "postgres"}},
		{"stage by index", "FROM redis:7\nFROM alpine\nFROM 0\n", nil, FinalStage{Base: "redis:7"}},
		{"ARG default", "ARG BASE=nginx\nARG TAG=1.27\nFROM ${BASE}:$TAG\n", nil, FinalStage{Base: "nginx:1.27"}},
		{"ARG overridden by build args", "ARG BASE=nginx\nFROM $BASE\n", map[string]string{"BASE": "httpd"}, FinalStage{Base: "httpd"}},
		{"ARG with default in FROM", "ARG BASE\nFROM ${BASE:-mariadb:11}\n", nil, FinalStage{Base: "mariadb:11"}},
		{"ARG without value", "ARG BASE\nFROM $BASE\n", nil, FinalStage{}},
		{"scratch", "FROM scratch\nVOLUME /x\n", nil, FinalStage{Volumes: []string{"/x"}}},
		{"continuations and comments", "FROM \\\n  # a comment inside\n  node:20 \\\n  AS app\nVOLUME /a \\\n   /b\n",
			nil, FinalStage{Base: "node:20", Volumes: []string{"/a", "/b"}}},
		{"escape directive", "# escape=`\nFROM mcr.microsoft.com/windows `\n  AS w\nVOLUME C:\\data\n",
			nil, FinalStage{Base: "mcr.microsoft.com/windows", Volumes: []string{`C:\data`}}},
		{"heredoc body is not an instruction", "FROM alpine\nRUN <<EOF\nFROM evil\nEOF\nVOLUME /v\n",
			nil, FinalStage{Base: "alpine", Volumes: []string{"/v"}}},
		{"CRLF", "FROM nginx\r\nUSER nginx\r\n", nil, FinalStage{Base: "nginx", User: "nginx"}},
		{"empty", "# nothing\n", nil, FinalStage{}},
	}
	for _, tt := range tests {
		d, err := ParseDockerfile([]byte(tt.src), tt.args)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := d.Final(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Final() = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestDockerfileErrors(t *testing.T) {
	for src, want := range map[string]string{
		"FROM\n":                   "line 1: FROM wants IMAGE [AS NAME], got \"\"",
		"FROM a b\n":               "line 1: FROM wants IMAGE [AS NAME], got \"a b\"",
		"# c\nVOLUME /x\nFROM a\n": "line 2: VOLUME before the first FROM",
	} {
		_, err := ParseDockerfile([]byte(src), nil)
		if err == nil || err.Error() != want {
			t.Errorf("ParseDockerfile(%q) error = %v, want %q", src, err, want)
		}
	}
}
