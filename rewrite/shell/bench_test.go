package shell_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/shell"
)

// typicalScript is a representative 2 KB script that starts containers:
// docker and podman run commands with binds, env and ports, in a function,
// a loop and a conditional, among ordinary commands and a heredoc.
const typicalScript = `#!/bin/sh
# Starts the development stack.
set -eu

NAME=${NAME:-shop}
IMAGE="registry.example.com/team/${NAME}:1.4"
DATA_DIR="$(pwd)/data"

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

mkdir -p "$DATA_DIR"
cat > "$DATA_DIR/env" <<EOF
NAME=$NAME
IMAGE=$IMAGE
EOF

start_db() {
	docker run -d --name "${NAME}-db" \
		-e POSTGRES_PASSWORD=secret \
		-v "$DATA_DIR/db":/var/lib/postgresql/data \
		-v ./db/init.sql:/docker-entrypoint-initdb.d/init.sql \
		postgres:16
}

start_cache() {
	podman run -d --rm --name "${NAME}-cache" -p 127.0.0.1:6379:6379 redis:7-alpine
}

start_db
start_cache

for i in 1 2 3; do
	docker run -d --name "${NAME}-worker-$i" \
		--env-file .env \
		-v ./config/app.conf:/etc/app/app.conf \
		-v /var/run/docker.sock:/var/run/docker.sock \
		"$IMAGE" worker --id "$i"
done

if [ -n "${DEBUG:-}" ]; then
	log "starting the web server in debug mode"
	docker run -it --rm -p 8080:80 -v "$(pwd)":/src:z -w /src "$IMAGE" serve --debug
else
	docker run -d --restart unless-stopped --name "${NAME}-web" \
		-p 8080:80 \
		--mount type=bind,src=./certs,dst=/certs \
		"$IMAGE" serve
fi

docker run --rm --read-only --security-opt no-new-privileges --tmpfs /tmp alpine:3.20 sh -c 'echo ready'
log "stack is up"
`

// bigScript returns a script of at least size bytes: the typical script's
// body repeated inside numbered functions.
func bigScript(size int) []byte {
	body := strings.SplitN(typicalScript, "\n", 2)[1]
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "part_%d() {\n%s}\n", i, body)
	}
	return []byte(b.String())
}

// BenchmarkShellPlanLarge measures planning (parse with mvdan.cc/sh, find
// the run commands, plan the edits) on a 256 KB script, to show that the
// cost per byte does not grow with size. BenchmarkShellPlan, next to the
// engine's tests, covers the typical 2 KB script.
func BenchmarkShellPlanLarge(b *testing.B) {
	src := bigScript(256 << 10)
	pol := policy.Default()
	plan, err := shell.Plan("run.sh", src, pol)
	if err != nil {
		b.Fatal(err)
	}
	if len(plan.Edits) == 0 {
		b.Fatal("no edits: the input does not exercise the engine")
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := shell.Plan("run.sh", src, pol); err != nil {
			b.Fatal(err)
		}
	}
}
