#!/usr/bin/env bash
# Starts the services by hand, the way many repositories still do.
set -euo pipefail

docker run -d --name cache -p 6379:6379 redis:7

docker run -d \
    --name api \
    -v "$PWD/config/api.yaml:/etc/api/api.yaml" \
    -v api-data:/var/lib/api \
    example/api:latest --port 8080

id=$(sudo docker create --rm alpine:3 echo ready)
echo "$id"
