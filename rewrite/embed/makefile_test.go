package embed

import (
	"strings"
	"testing"
)

// TestMakefileVariableUse checks that a variable holding a run command is
// judged with what its first recipe use runs, and that neither an engine
// variable nor a use that adds flags gets a command.
func TestMakefileVariableUse(t *testing.T) {
	src := "DOCKER ?= docker\n" +
		"DEV_ENV_CMD := docker run $(DEV_ENV_OPTS) $(DEV_ENV_IMAGE)\n" +
		"MORE := docker run --rm\n" +
		"vendor:\n" +
		"\t$(DEV_ENV_CMD) make vendor\n" +
		"\t@$(DEV_ENV_CMD) make other\n" +
		"\t$(MORE) -v $(PWD):/src img\n" +
		"\t$(DOCKER) run --rm img\n"
	snippets, err := extractMakefile([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, sn := range snippets {
		got = append(got, string(sn.Text))
	}
	want := []string{
		"docker",
		"docker run ${DEV_ENV_OPTS} ${DEV_ENV_IMAGE} make vendor",
		"docker run --rm",
		"docker run --rm img",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("snippets:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
