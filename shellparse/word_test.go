package shellparse

import "testing"

// TestInterp checks the image word in compose's interpolation syntax: a
// literal default is kept (policy.ParseImageRef resolves it), anything
// else is a variable without a default.
func TestInterp(t *testing.T) {
	for _, tc := range []struct{ word, want string }{
		{`nginx:${NGINX_VERSION:-1.27}`, `nginx:${NGINX_VERSION:-1.27}`},
		{`"nginx:${V-1.27}"`, `nginx:${V-1.27}`},
		{`postgres:$PG_TAG`, `postgres:${PG_TAG}`},
		{`${IMAGE:-postgres:${PG:-16}}`, `${IMAGE:-postgres:${PG:-16}}`},
		{`$REG/nginx`, `${REG}/nginx`},
		{`app:$(git rev-parse HEAD)`, `app:${_}`},
		{`app:${V:+x}`, `app:${_}`},
		{`app:${V#v}`, `app:${_}`},
		{`static:1`, ``}, // a static word: its Value is the reference
	} {
		res, err := Find([]byte("docker run "+tc.word+"\n"), Bash)
		if err != nil || len(res.Invocations) != 1 {
			t.Fatalf("%s: %v", tc.word, err)
		}
		inv := res.Invocations[0]
		if got := inv.Words[inv.Image].Interp; got != tc.want {
			t.Errorf("%s: Interp %q, want %q", tc.word, got, tc.want)
		}
	}
}
