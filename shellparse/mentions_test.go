package shellparse

import "testing"

func TestMentionsRun(t *testing.T) {
	for src, want := range map[string]bool{
		"docker run --rm alpine\n":                 true,
		"sudo podman container create x\n":         true,
		"$DOCKER run img\n":                        true,
		"docker \\\n  --context c \\\n  run x\n":   true,
		"nerdctl --namespace k8s.io run x\n":       true,
		"docker build -t app .\ndocker push app\n": false,
		"docker ps; run_tests\n":                   false,
		"echo docker\nrun x\n":                     false,
		"make run # no engine\n":                   false,
		"docker-compose run web\n":                 true, // errs on the side of yes
		"":                                         false,
	} {
		if got := MentionsRun([]byte(src)); got != want {
			t.Errorf("MentionsRun(%q) = %v, want %v", src, got, want)
		}
	}
}

// TestParseErrorConstruct checks that a parse error names the construct
// at its position, whole characters only.
func TestParseErrorConstruct(t *testing.T) {
	for src, want := range map[string]string{
		"arr[key:x]+=y\n":     "cannot parse as bash (line 1, at `arr[key:x]+=y`): ternary operator missing `?` before `:`",
		"echo \"unterminated": "cannot parse as bash (line 1, at `\"unterminated`): reached EOF without closing quote `\"`",
		"x=\"ééééééééééééééééééééééééééééééééééééééééé": "cannot parse as bash (line 1, at `x=\"éééééééééééééééééé…`): reached EOF without closing quote `\"`",
	} {
		_, err := Find([]byte(src), Bash)
		if err == nil || err.Error() != want {
			t.Errorf("Find(%q) error %v, want %s", src, err, want)
		}
	}
}
