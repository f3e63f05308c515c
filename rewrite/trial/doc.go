// Package trial is "rofix try": the proof that a hardened compose project
// still runs. It runs the project as it is, isolated (a scratch copy of its
// directory, a project name of its own, no published ports, no fixed
// container names), learns per service what each container writes (package
// learn), hardens the compose files with what was learned exactly as
// "rofix -w" would write them, runs that from a clean slate, repairs a
// service that fails from the paths its logs name, and reports per service
// what it got and the evidence that it still runs. With -w it writes the
// hardened files and records what was learned in .rofix.yaml.
//
// With learn, it is the only rofix code that runs programs: the container
// engine's CLI and compose. Every container, network, volume and image it
// creates carries its own project name and is removed when it ends, also on
// failure and on SIGINT or SIGTERM; the user's files change only with -w.
package trial
