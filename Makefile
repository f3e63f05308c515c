# rofix: build, test and measure.
GO ?= go
FUZZTIME ?= 60s

.PHONY: all build examples test check e2e fuzz bench clean image

all: build

build:
	$(GO) build -o bin/rofix ./cmd/rofix

# Run rofix on the bundled examples: prints the diff it would apply.
examples: build
	./bin/rofix -d examples

# Every test: vet, unit, golden, CLI, corpus, a short fuzz pass (20000
# inputs per target; FuzzVerdict, which still finds YAML corner cases, only
# runs its seeds here and searches in make fuzz), and the
# end-to-end suite (skipped with a reason when no container engine can start;
# a failure in CI, where CI=true).
test:
	gofmt -l cmd rewrite shellparse golden e2e bench | (! grep .)
	$(GO) vet ./...
	$(GO) test -count=1 $$($(GO) list ./... | grep -v -e /e2e$$ -e /golden$$)
	./scripts/summary.sh ./golden '(corpus|oracle)_test.go:[0-9]+: '
	./scripts/summary.sh ./e2e '^e2e:|_test.go:[0-9]+: .*skip'
	FUZZTIME=20000x FUZZSKIP=FuzzVerdict ./scripts/fuzz.sh

# rofix's own image, from scratch without a registry: a static binary and
# a non-root user (IMAGE, ENGINE: see scripts/image.sh).
image:
	GO=$(GO) ./scripts/image.sh

e2e:
	VERBOSE=1 ./scripts/summary.sh ./e2e .

fuzz:
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

bench:
	./bench/run.sh

clean:
	rm -rf bin
