package compose_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rofix/rofix/rewrite/compose"
	"github.com/rofix/rofix/rewrite/policy"
)

// typicalCompose is a representative 2 KB compose file: five services with
// binds, named volumes, ports, environment, healthchecks and comments, none
// hardened.
const typicalCompose = `# Development stack for the shop.
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

// bigCompose returns a compose file of at least size bytes made of
// services in a few realistic shapes.
func bigCompose(size int) []byte {
	var b strings.Builder
	b.WriteString("x-common: &common\n  restart: unless-stopped\n\nservices:\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "  svc%06d:\n", i)
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "    <<: *common\n    image: nginx:1.27\n    ports:\n      - \"%d:80\"\n    volumes:\n      - ./conf/nginx%d.conf:/etc/nginx/nginx.conf\n      - static%d:/usr/share/nginx/html\n", 10000+i%50000, i, i)
		case 1:
			fmt.Fprintf(&b, "    image: postgres:16 # pinned\n    environment:\n      POSTGRES_PASSWORD: secret%d\n    volumes:\n      - type: bind\n        source: ./init\n        target: /docker-entrypoint-initdb.d\n", i)
		case 2:
			fmt.Fprintf(&b, "    build:\n      context: ./app%d\n    command: >\n      sh -c \"migrate && serve\"\n    security_opt:\n      - label:disable\n", i)
		default:
			b.WriteString("    image: redis:7-alpine\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n    tmpfs:\n      - /run\n")
		}
	}
	return []byte(b.String())
}

// BenchmarkComposePlan measures planning (locate with yaml.v3, plan the
// edits) on a typical 2 KB file and on a 1 MB one. Verification is part of
// the plan's Verify and is measured by BenchmarkProcess in package rewrite.
func BenchmarkComposePlan(b *testing.B) {
	pol := policy.Default()
	for _, in := range []struct {
		name string
		src  []byte
	}{
		{"2KB", []byte(typicalCompose)},
		{"1MB", bigCompose(1 << 20)},
	} {
		b.Run(in.name, func(b *testing.B) {
			if _, err := compose.Plan(in.src, pol); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(in.src)))
			for b.Loop() {
				if _, err := compose.Plan(in.src, pol); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
