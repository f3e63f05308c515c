// Package learn is "rofix learn": the read-only run as a design test. It
// asks a container engine (the docker or podman CLI, with the user's own
// DOCKER_HOST, contexts and CONTAINER_HOST) what a running container wrote
// to its root filesystem, groups those writes into the few directories that
// need a tmpfs (or a volume, for state), reads the owner of each directory
// in the container so that the tmpfs is writable by the user that writes
// there, and records the result under the container's image in a .rofix.yaml
// config file, with minimal byte edits.
//
// It is the only rofix package that executes programs (engine.go); every
// other part of it is pure and tested on outputs captured from real engines.
package learn
