// Package samples holds the representative inputs rofix's benchmarks
// measure, in one place: a typical 2 KB compose file and shell script, and
// generators of large ones. The Go benchmarks in rewrite/... and the
// whole-process benchmarks in bench/ use the same inputs.
package samples

import (
	"bytes"
	"fmt"
	"strings"
)

// Compose is a representative 2 KB compose file: five services with
// binds, named volumes, ports, environment, healthchecks and comments, none
// hardened.
const Compose = `# Development stack for the shop.
name: shop

services:
  proxy:
    image: nginx:1.27-alpine
    ports:
      - "8080:80"
      - "8443:443"
    volumes:
      - ./proxy/nginx.conf:/etc/nginx/nginx.conf
      - ./proxy/certs:/etc/nginx/certs
    depends_on:
      - web

  web:
    build:
      context: ./web
      target: dev
    environment:
      DATABASE_URL: postgres://shop:shop@db:5432/shop
      REDIS_URL: redis://cache:6379/0
    volumes:
      - ./web:/usr/src/app # live reload
      - node_modules:/usr/src/app/node_modules
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:3000/health"]
      interval: 15s
      timeout: 5s
      retries: 3
    depends_on:
      db:
        condition: service_healthy

  worker:
    build: ./worker
    command: ["celery", "-A", "shop", "worker", "--loglevel=info"]
    environment:
      - BROKER_URL=redis://cache:6379/1
    volumes:
      - ./worker:/app
      - /var/run/docker.sock:/var/run/docker.sock

  db:
    image: postgres:16
    environment:
      POSTGRES_USER: shop
      POSTGRES_PASSWORD: shop
    volumes:
      - db-data:/var/lib/postgresql/data
      - ./db/init.sql:/docker-entrypoint-initdb.d/init.sql
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U shop"]
      interval: 10s

  cache:
    image: redis:7-alpine
    command: redis-server --appendonly yes
    volumes:
      - type: volume
        source: cache-data
        target: /data

volumes:
  db-data:
  cache-data:
  node_modules:
`

// Script is a representative 2 KB script that starts containers:
// docker and podman run commands with binds, env and ports, in a function,
// a loop and a conditional, among ordinary commands and a heredoc.
const Script = `#!/bin/sh
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

// BigScript returns a script of at least size bytes: the typical script's
// body repeated inside numbered functions.
func BigScript(size int) []byte {
	body := strings.SplitN(Script, "\n", 2)[1]
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "part_%d() {\n%s}\n", i, body)
	}
	return []byte(b.String())
}

// BigCompose returns a compose file of at least size bytes: services built
// from a handful of realistic shapes (binds, named volumes, ports,
// environment maps, healthchecks, comments, anchors), none of them
// hardened, so that every service gets edits.
func BigCompose(size int) []byte {
	var b bytes.Buffer
	b.WriteString("# Generated for rofix benchmarks.\nx-common: &common\n  restart: unless-stopped\n  logging:\n    driver: json-file\n\nservices:\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "  svc%06d:\n", i)
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "    <<: *common\n    image: nginx:1.27\n    ports:\n      - \"%d:80\"\n    volumes:\n      - ./conf/nginx%d.conf:/etc/nginx/nginx.conf\n      - static%d:/usr/share/nginx/html\n", 10000+i%50000, i, i)
		case 1:
			fmt.Fprintf(&b, "    image: postgres:16 # pinned\n    environment:\n      POSTGRES_PASSWORD: secret%d\n      POSTGRES_DB: db%d\n    volumes:\n      - type: bind\n        source: ./init\n        target: /docker-entrypoint-initdb.d\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n      interval: 10s\n", i, i)
		case 2:
			fmt.Fprintf(&b, "    build:\n      context: ./app%d\n    command: >\n      sh -c \"migrate && serve --port 80%02d\"\n    depends_on:\n      - svc%06d\n    security_opt:\n      - label:disable\n", i, i%100, i-1)
		default:
			fmt.Fprintf(&b, "    image: redis:7-alpine\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n    tmpfs:\n      - /run\n")
		}
	}
	b.WriteString("\nvolumes:\n  data: {}\n")
	return b.Bytes()
}
