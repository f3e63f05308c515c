#!/bin/sh
# Builds rofix's own container image without a registry: a static binary
# (CGO_ENABLED=0) in a root filesystem holding nothing else but the files a
# non-root user needs, imported as an image FROM scratch with
# `podman import` or `docker import`.
#
#   IMAGE   the image name (default localhost/rofix:latest)
#   ENGINE  podman or docker (default: podman when installed, else docker)
#   OUT     where the root filesystem and its tar are left (default bin/image)
#
# Run it with a read-only root, no network, no new privileges and the
# repository mounted read-only:
#
#   podman run --rm --read-only --network none --security-opt no-new-privileges \
#     --cap-drop all -v "$PWD:/src:ro" localhost/rofix:latest -d .
set -eu
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-localhost/rofix:latest}
OUT=${OUT:-bin/image}
if [ -z "${ENGINE:-}" ]; then
	if command -v podman >/dev/null 2>&1; then ENGINE=podman; else ENGINE=docker; fi
fi
GO=${GO:-go}

rm -rf "$OUT/rootfs"
mkdir -p "$OUT/rootfs/etc" "$OUT/rootfs/src"
CGO_ENABLED=0 "$GO" build -trimpath -ldflags='-s -w' -o "$OUT/rootfs/rofix" ./cmd/rofix
# The user the image runs as (65532, "nonroot" as distroless names it).
printf 'root:x:0:0:root:/:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/:/sbin/nologin\n' > "$OUT/rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$OUT/rootfs/etc/group"
chmod 0755 "$OUT/rootfs" "$OUT/rootfs/etc" "$OUT/rootfs/src" "$OUT/rootfs/rofix"
chmod 0644 "$OUT/rootfs/etc/passwd" "$OUT/rootfs/etc/group"
# Owned by root, the same bytes on every run.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
	-C "$OUT/rootfs" -cf "$OUT/rootfs.tar" .

"$ENGINE" import \
	--change 'USER 65532:65532' \
	--change 'WORKDIR /src' \
	--change 'ENTRYPOINT ["/rofix"]' \
	--change 'CMD ["-d", "."]' \
	--change 'LABEL org.opencontainers.image.title=rofix org.opencontainers.image.source=https://github.com/rofix/rofix' \
	"$OUT/rootfs.tar" "$IMAGE" >/dev/null
echo "$IMAGE"
