package shellparse

import (
	"strings"
	"testing"
)

func TestContainerCommands(t *testing.T) {
	src := `CID=$(docker run -d img)
export ID="$(podman create img)"
x=` + "`docker run -d img`" + `
docker exec -u root -e A=1 -it "$CID" apt-get install -y git
docker --log-level warn container exec --user=root $CID sh -c 'apk add x'
podman cp ./a.conf "${ID}:/etc/a.conf"
docker cp web:/app/out ./out
nerdctl start -a ${ID} other
docker logs web
`
	res, err := Find([]byte(src), Bash)
	if err != nil {
		t.Fatal(err)
	}
	var assigned []string
	for _, inv := range res.Invocations {
		assigned = append(assigned, inv.AssignedTo)
	}
	if got := strings.Join(assigned, ","); got != "CID,ID,x" {
		t.Errorf("assigned to %q, want CID,ID,x", got)
	}
	type want struct {
		kind, containers, command string
		into                      bool
	}
	wants := []want{
		{"exec", "${CID}", "apt-get install -y git", false},
		{"exec", "${CID}", "sh -c apk add x", false},
		{"cp", "${ID}:/etc/a.conf", "", true},
		{"cp", "web:/app/out", "", false},
		{"start", "${ID} other", "", false},
	}
	if len(res.ContainerCommands) != len(wants) {
		t.Fatalf("%d container commands, want %d", len(res.ContainerCommands), len(wants))
	}
	for i, cc := range res.ContainerCommands {
		var names, cmd []string
		for _, j := range cc.Containers {
			names = append(names, cc.Words[j].Value)
		}
		for _, w := range cc.Words[cc.Command:] {
			cmd = append(cmd, w.Value)
		}
		got := want{cc.Kind, strings.Join(names, " "), strings.Join(cmd, " "), cc.Into}
		if got != wants[i] {
			t.Errorf("command %d = %+v, want %+v", i, got, wants[i])
		}
	}
}
