package policy

// This file is the data of Judge (judge.go): which commands make a
// container a job, what those jobs write, which images are Windows images,
// and which commands run through docker exec change a container's root.
// Sources: the images' Dockerfiles on Docker Hub (golang, node, python,
// maven, gradle, rust, ruby, composer, php) for the paths; the issue 16
// measurements over 92 repositories for the commands.

// A jobTool is a build or package tool: a container whose command runs it
// is a job, which writes caches and homes outside its mounts.
type jobTool struct {
	// Tool is the program's base name.
	Tool string
	// Subs are the subcommands that make it a job; nil means any (make,
	// cargo, mvn: whatever they do, they build).
	Subs []string
	// Writes says what the job writes, for the reason a reviewer reads.
	Writes string
}

// jobTools are the build and package tools, by program name.
var jobTools = []jobTool{
	{"make", nil, "what its recipes build and their tools' caches"},
	{"cmake", nil, "its build tree"},
	{"go", []string{"build", "test", "mod", "generate", "install", "get", "vet", "run"}, "GOPATH (/go in the golang image: modules, binaries) and GOCACHE ($HOME/.cache/go-build)"},
	{"npm", []string{"install", "i", "ci", "run", "run-script", "test", "build", "exec", "update", "rebuild", "pack", "publish"}, "~/.npm (its cache and logs) and node_modules"},
	{"npx", nil, "~/.npm (the packages it fetches)"},
	{"yarn", nil, "~/.cache/yarn (or .yarn) and node_modules"},
	{"pnpm", nil, "its store (~/.local/share/pnpm) and node_modules"},
	{"bun", []string{"install", "i", "run", "build", "test", "x"}, "~/.bun/install/cache and node_modules"},
	{"pip", []string{"install", "download", "wheel"}, "~/.cache/pip, site-packages (~/.local with --user)"},
	{"pip3", []string{"install", "download", "wheel"}, "~/.cache/pip, site-packages (~/.local with --user)"},
	{"poetry", []string{"install", "build", "lock", "update", "add"}, "~/.cache/pypoetry and its virtualenvs"},
	{"uv", []string{"sync", "pip", "build", "lock", "run", "tool"}, "~/.cache/uv and .venv"},
	{"pipenv", []string{"install", "sync", "lock"}, "~/.cache/pipenv and its virtualenvs"},
	{"tox", nil, ".tox and ~/.cache/pip"},
	{"mvn", nil, "~/.m2 (the local repository) and target/"},
	{"mvnw", nil, "~/.m2 (the wrapper and the local repository) and target/"},
	{"gradle", nil, "GRADLE_USER_HOME (/home/gradle/.gradle in the gradle image) and build/"},
	{"gradlew", nil, "~/.gradle (the wrapper and its caches) and build/"},
	{"sbt", nil, "~/.sbt, ~/.ivy2, ~/.cache/coursier and target/"},
	{"cargo", nil, "CARGO_HOME (/usr/local/cargo in the rust image) and target/"},
	{"rustup", nil, "RUSTUP_HOME (/usr/local/rustup in the rust image)"},
	{"bundle", []string{"install", "update", "package", "lock", "config"}, "the gem directory (/usr/local/bundle in the ruby image) and ~/.bundle"},
	{"gem", []string{"install", "update", "build"}, "the gem directory (/usr/local/bundle in the ruby image)"},
	{"composer", nil, "COMPOSER_HOME (/tmp in the composer image, ~/.composer otherwise) and vendor/"},
	{"dotnet", []string{"build", "restore", "publish", "test", "pack", "tool"}, "~/.nuget/packages, ~/.dotnet and obj/, bin/"},
	{"apt-get", []string{"install", "update", "upgrade", "dist-upgrade", "build-dep"}, "/var/lib/apt, /var/cache/apt and the installed files"},
	{"apt", []string{"install", "update", "upgrade"}, "/var/lib/apt, /var/cache/apt and the installed files"},
	{"apk", []string{"add", "update", "upgrade"}, "/var/cache/apk, /lib/apk/db and the installed files"},
	{"yum", []string{"install", "update", "upgrade", "makecache"}, "/var/cache/yum, the rpm database and the installed files"},
	{"dnf", []string{"install", "update", "upgrade", "makecache"}, "/var/cache/dnf, the rpm database and the installed files"},
	{"microdnf", []string{"install", "update", "upgrade"}, "/var/cache/yum, the rpm database and the installed files"},
	{"zypper", []string{"install", "in", "update", "up", "refresh", "ref"}, "/var/cache/zypp, the rpm database and the installed files"},
	{"pacman", nil, "/var/lib/pacman, /var/cache/pacman and the installed files"},
	{"hugo", []string{"build", "mod"}, "its resources/ and ~/.cache/hugo_cache"},
	{"bazel", nil, "~/.cache/bazel (its output base)"},
}

// wrappers run the command that follows them: "time make", "sudo -E go
// build", "exec npm ci". Their own flags are skipped as words starting
// with "-".
var wrappers = []string{"time", "sudo", "exec", "env", "nice", "nohup", "gosu", "su-exec", "tini", "dumb-init", "xvfb-run"}

// shells are the programs an interactive container runs as a shell, and
// whose -c script is read for the commands it runs.
var shells = []string{"sh", "bash", "ash", "dash", "zsh", "ksh", "fish"}

// shellImages run a shell when no command is given: their CMD is sh or
// bash. An interactive container of one of them is a shell session.
var shellImages = []string{
	"alpine", "busybox", "ubuntu", "debian", "fedora", "centos", "rockylinux", "almalinux",
	"archlinux", "amazonlinux", "oraclelinux", "opensuse/*", "registry.access.redhat.com/ubi*",
	"golang", "rust", "gcc", "buildpack-deps", "maven", "gradle", "eclipse-temurin", "openjdk",
}

// windowsImages match Windows container images: the Windows daemon
// rejects a read-only root (and tmpfs) for them. Names: Microsoft's base
// images and the "-windows" builds of community images
// (stefanscherer/traefik-windows); tags: the Windows variants of
// multi-platform images (nats:2.0.4-nanoserver-1809,
// mongo:windowsservercore, livenessprobe:v2.0.1-windows-1809-amd64,
// mongo-windows:3.4.1-nano, ...:ltsc2022).
var windowsImages = []string{
	"mcr.microsoft.com/windows", "mcr.microsoft.com/windows/*", "*/windows",
	"*windowsservercore*", "*nanoserver*", "*-windows", "*-windows-*",
	"*:*windows*", "*:*nanoserver*", "*:*ltsc20*", "*:nano", "*:nano-*", "*:*-nano", "*:*-nano-*",
}

// windowsPrograms are commands only Windows runs: a container whose
// command is one is a Windows container (pwsh is not here: PowerShell 7
// runs on Linux too).
var windowsPrograms = []string{"cmd", "cmd.exe", "powershell", "powershell.exe"}

// windowsScripts are the file types only Windows executes.
var windowsScripts = []string{".exe", ".bat", ".cmd", ".ps1"}

// rootWriters are the commands that, run through docker exec, write the
// container's root: package managers, file creation and changes outside
// /tmp. A command not listed (psql, cat, curl, redis-cli, a health check)
// only reads and does not keep the root writable.
var rootWriters = []jobTool{
	{"apt-get", []string{"install", "update", "upgrade", "dist-upgrade", "remove", "purge"}, ""},
	{"apt", []string{"install", "update", "upgrade", "remove"}, ""},
	{"apk", []string{"add", "update", "upgrade", "del"}, ""},
	{"yum", []string{"install", "update", "upgrade", "remove"}, ""},
	{"dnf", []string{"install", "update", "upgrade", "remove"}, ""},
	{"microdnf", []string{"install", "update", "upgrade", "remove"}, ""},
	{"zypper", []string{"install", "in", "update", "up", "remove", "rm"}, ""},
	{"rpm", []string{"-i", "-ivh", "-Uvh", "-U", "-e", "--install", "--upgrade"}, ""},
	{"dpkg", []string{"-i", "--install", "--configure", "-r", "--remove"}, ""},
	{"pacman", nil, ""},
	{"pip", []string{"install", "uninstall"}, ""},
	{"pip3", []string{"install", "uninstall"}, ""},
	{"gem", []string{"install"}, ""},
	{"npm", []string{"install", "i", "ci", "uninstall"}, ""},
	{"update-ca-certificates", nil, ""},
	{"useradd", nil, ""},
	{"adduser", nil, ""},
	{"groupadd", nil, ""},
	{"addgroup", nil, ""},
	{"usermod", nil, ""},
	{"passwd", nil, ""},
	{"chpasswd", nil, ""},
	{"ldconfig", nil, ""},
	{"mkdir", nil, ""},
	{"touch", nil, ""},
	{"cp", nil, ""},
	{"mv", nil, ""},
	{"ln", nil, ""},
	{"rm", nil, ""},
	{"chmod", nil, ""},
	{"chown", nil, ""},
	{"tee", nil, ""},
	{"install", nil, ""},
	{"tar", nil, ""},
	{"unzip", nil, ""},
	{"sed", []string{"-i"}, ""},
	{"git", []string{"clone"}, ""},
	{"curl", []string{"-o", "-O", "--output", "--remote-name"}, ""},
	{"wget", nil, ""},
}
