// Package e2e holds rofix's end-to-end tests: they run rofix's output on a
// real container engine and observe, from inside the containers, that the
// hardening holds.
//
// TestMain builds rofix and a small local image (busybox, a setuid-root probe
// that prints its effective uid, a check script, and an entrypoint that
// writes /var/cache/app at start), starts the engine, and removes everything
// it started when the tests end. Each test runs a fixture from testdata as
// written and again after `rofix -w`, and asserts both sides: the original
// shows the writable or escalating behaviour, the hardened copy does not.
//
// By default the engine is Debian's podman (root only): a `podman system
// service` on a socket in a temporary directory, the real docker CLI and
// docker-compose talking to it, and podman fixtures run by podman directly,
// all with testdata/containers.conf. ROFIX_E2E_ENGINE=docker uses the docker
// CLI's own daemon instead (see README.md). When no engine can be started the
// tests are skipped with the reason, except when CI=true: then the suite
// fails, so it can never silently stop running in CI.
package e2e
