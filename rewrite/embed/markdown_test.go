package embed

import "testing"

func TestPromptLen(t *testing.T) {
	for line, want := range map[string]int{
		"$ docker run x":                  2,
		"~$ docker run x":                 3,
		"me@local:~$ docker run x":        12,
		"bash-5.2$ ls":                    10,
		"[user@host src]$ docker run x":   17,
		"[root@host ~]# podman run x":     15,
		"root@8eabb871a9bd:/# ls":         21,
		"# docker run x is a comment":     0,
		"[section]# not a prompt":         0,
		"PS> docker run x":                0,
		"$docker":                         0,
		"echo $ x":                        0,
		"\"IPAddress\": \"\",":            0,
		"10.88.0.1 - - [07/Feb/2018] GET": 0,
	} {
		if got := promptLen(line); got != want {
			t.Errorf("promptLen(%q) = %d, want %d", line, got, want)
		}
	}
}
