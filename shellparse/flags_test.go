package shellparse

import (
	"fmt"
	"strings"
	"testing"
)

// describe renders an invocation as "engine sub | name=value ... | image".
func describe(src []byte, inv *Invocation) string {
	var b strings.Builder
	b.WriteString(inv.Engine.String() + " " + sub(inv.Create) + " |")
	for _, f := range inv.Flags {
		fmt.Fprintf(&b, " %s=%s", f.Name, f.Value)
	}
	b.WriteString(" | ")
	if inv.Image < len(inv.Words) {
		b.WriteString(inv.Words[inv.Image].Text(src))
	} else {
		b.WriteString("-")
	}
	return b.String()
}

func TestRunFlags(t *testing.T) {
	tests := []struct {
		line, want string
	}{
		{"docker run --rm -it alpine sh", "docker run | rm=true interactive=true tty=true | alpine"},
		{"docker run -itd --rm nginx", "docker run | interactive=true tty=true detach=true rm=true | nginx"},
		{"docker run -dp 80:80 nginx", "docker run | detach=true publish=80:80 | nginx"},
		{"docker run -dp80:80 nginx", "docker run | detach=true publish=80:80 | nginx"},
		{"docker run -itv /x:/y img", "docker run | interactive=true tty=true volume=/x:/y | img"},
		{"docker run -iv/x:/y img", "docker run | interactive=true volume=/x:/y | img"},
		{"docker run -v=/x:/y img", "docker run | volume=/x:/y | img"},
		{"docker run --env=A=1 -eB=2 -e=C=3 img", "docker run | env=A=1 env=B=2 env=C=3 | img"},
		{"docker run --read-only=false img", "docker run | read-only=false | img"},
		{"docker run --read-only false img", "docker run | read-only=true | false"},
		{"docker run -t=false img", "docker run | tty=false | img"},
		{"docker run -it=false img", "docker run | interactive=true tty=false | img"},
		{"docker run --rm img --read-only", "docker run | rm=true | img"},
		{"docker run -e -x img", "docker run | env=-x | img"},
		{"docker run -e --rm img", "docker run | env=--rm | img"},
		{"docker run -h foo img", "docker run | hostname=foo | img"},
		{"docker run - img", "docker run | | -"},
		{"docker run --name '' img", "docker run | name= | img"},
		{"docker run --entrypoint= img", "docker run | entrypoint= | img"},
		{"docker run -- img --rm", "docker run | | img"},
		{"docker run --rm -- img", "docker run | rm=true | img"},
		{"docker run img -- x", "docker run | | img"},
		{"docker -c prod run -c 512 img", "docker run | cpu-shares=512 | img"},
		{"docker -H tcp://h:2375 --context=prod -l debug run img", "docker run | | img"},
		{"docker container create --name x img", "docker create | name=x | img"},
		{"docker run --net host --dns-opt x --kernel-memory 1g img", "docker run | net=host dns-opt=x kernel-memory=1g | img"},
		{"docker run --disable-content-trust --use-api-socket img", "docker run | disable-content-trust=true use-api-socket=true | img"},
		{"docker run --name=\"$(hostname)\" img", "docker run | name=${_} | img"},
		{`docker run -v "$PWD":/src img`, "docker run | volume=${PWD}:/src | img"},
		{`docker run "$IMG"`, "docker run | | \"$IMG\""},
		{"podman run --runtime crun --log-level debug img", "podman run | runtime=crun log-level=debug | img"},
		{"podman run --read-only-tmpfs=false --rmi img", "podman run | read-only-tmpfs=false rmi=true | img"},
		{"podman --remote -c conn run img", "podman run | | img"},
		{"podman create --init-ctr always img", "podman create | init-ctr=always | img"},
		{"nerdctl -n k8s.io run --namespace x img", "nerdctl run | namespace=x | img"},
		{"nerdctl run --cosign-key k --insecure-registry img", "nerdctl run | cosign-key=k insecure-registry=true | img"},
		{"sudo -u root env A=1 docker run img", "docker run | | img"},
		{"timeout -s KILL 30 nice -n 5 docker run img", "docker run | | img"},
		{"setsid -f stdbuf -oL ionice -c 3 docker run img", "docker run | | img"},
		{"/usr/bin/docker run img", "docker run | | img"},
	}
	for _, tt := range tests {
		res, err := Find([]byte(tt.line), Bash)
		if err != nil {
			t.Errorf("%s: %v", tt.line, err)
			continue
		}
		if len(res.Invocations) != 1 {
			t.Errorf("%s: %d invocations, skipped %v", tt.line, len(res.Invocations), res.Skipped)
			continue
		}
		if got := describe([]byte(tt.line), res.Invocations[0]); got != tt.want {
			t.Errorf("%s:\n got  %s\n want %s", tt.line, got, tt.want)
		}
	}
}

func TestNotAnalysed(t *testing.T) {
	tests := []struct {
		line    string
		skipped string // "" when the command is simply not a run command
	}{
		{"docker run --rea img", "unknown flag --rea"},
		{"docker run -H foo img", "unknown shorthand flag 'H'"},
		{"docker create -d img", "unknown shorthand flag 'd'"},
		{"docker run --volume", "needs a value"},
		{"nerdctl run -c 2 img", "unknown shorthand flag 'c'"},
		{"docker --bogus run img", "unknown docker flag --bogus"},
		{"$DOCKER run img", "engine unknown"},
		{"docker compose run web", ""},
		{"docker-compose run web", ""},
		{"docker exec c docker run img", ""},
		{"docker service create img", ""},
		{"echo docker run img", ""},
		{"command -v docker run", ""},
		{"env -S 'docker run img'", ""},
		{"$DOCKER ps", ""},
	}
	for _, tt := range tests {
		res, err := Find([]byte(tt.line), Bash)
		if err != nil {
			t.Errorf("%s: %v", tt.line, err)
			continue
		}
		if len(res.Invocations) != 0 {
			t.Errorf("%s: found an invocation", tt.line)
		}
		switch {
		case tt.skipped == "" && len(res.Skipped) > 0:
			t.Errorf("%s: skipped %v", tt.line, res.Skipped)
		case tt.skipped != "" && (len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0].Reason, tt.skipped)):
			t.Errorf("%s: skipped %v, want %q", tt.line, res.Skipped, tt.skipped)
		}
	}
}

func TestHidden(t *testing.T) {
	tests := []struct {
		line   string
		hidden []string
		image  string
	}{
		{`docker run "${args[@]}" -v /a:/b img`, []string{`"${args[@]}"`}, "img"},
		{`docker run "$@"`, []string{`"$@"`}, "-"},
		{`docker run $OPTS img`, []string{`$OPTS`}, "img"},
		{`docker run --rm $IMAGE --help`, nil, "$IMAGE"},
		// an unknown flag after a hidden word: the hidden word was the image
		{`docker run --rm $TOOL --fix x`, nil, "$TOOL"},
	}
	for _, tt := range tests {
		src := []byte(tt.line)
		res, err := Find(src, Bash)
		if err != nil || len(res.Invocations) != 1 {
			t.Errorf("%s: %v %v", tt.line, err, res)
			continue
		}
		inv := res.Invocations[0]
		var hidden []string
		for _, h := range inv.Hidden {
			hidden = append(hidden, inv.Words[h].Text(src))
		}
		image := "-"
		if inv.Image < len(inv.Words) {
			image = inv.Words[inv.Image].Text(src)
		}
		if fmt.Sprint(hidden) != fmt.Sprint(tt.hidden) || image != tt.image {
			t.Errorf("%s: hidden %q image %q; want %q %q", tt.line, hidden, image, tt.hidden, tt.image)
		}
	}
}
