# thongsuot — make run: build and run the smoke scenario; make test: everything CI runs.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN := bin/thongsuot
SCENARIO ?= smoke
PKGS := ./...

export TESTCONTAINERS_RYUK_DISABLED := true
export PATH := $(PATH):$(shell $(GO) env GOPATH)/bin

.PHONY: all build run test test-stress test-deps vet fmt-check unit fuzz bench tools clean image

all: build

## build: the static binary (CGO_ENABLED=0), bin/thongsuot
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/thongsuot

## image: the FROM scratch image for a cluster (deploy/kubernetes/Dockerfile, the one the
## containers runtime builds) as IMAGE (default thongsuot:dev, what deploy/kubernetes
## names); then push it, or load it (kind load docker-image, minikube image load)
IMAGE ?= thongsuot:dev
image: build
	@ctx=$$(mktemp -d) && cp deploy/kubernetes/Dockerfile $(BIN) $$ctx/ && \
	DOCKER_BUILDKIT=0 docker build -q -t $(IMAGE) $$ctx >/dev/null; code=$$?; rm -rf $$ctx; \
	[ $$code = 0 ] && echo "built $(IMAGE) ($$(docker image inspect -f '{{.Size}}' $(IMAGE)) bytes)"; exit $$code

## run: build (saying what it does: a fresh clone's first build takes minutes), run SCENARIO
## (default smoke) on the embedded runtime, print where the report is
run:
	@GO='$(GO)' BIN='$(BIN)' LDFLAGS='$(LDFLAGS)' scripts/build-with-progress
	@echo "running $(SCENARIO) on the embedded runtime (portal, identity, registries and toxiproxy in this process)"
	@out=out/$$(date +%Y%m%d-%H%M%S)-$(SCENARIO); \
	./$(BIN) run $(SCENARIO) --out $$out; code=$$?; \
	echo "open $$out/report.html (plots, SLOs, faults); CI reads $$out/junit.xml and $$out/summary.json"; exit $$code

## test: formatting, vet, every test (what CI runs)
test: fmt-check vet test-deps unit

## test-deps: Debian's chromium (browser test of report.html) and libxml2-utils (xmllint:
## junit.xml against the JUnit schema). Without them those tests skip, except under CI=true.
TEST_DEBS := chromium:chromium libxml2-utils:xmllint
test-deps:
	@missing=""; for d in $(TEST_DEBS); do command -v $${d#*:} >/dev/null || missing="$$missing $${d%%:*}"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null; \
	else echo "install$$missing (Debian) to run the browser and JUnit-schema tests"; fi

fmt-check:
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$bad" ]; then echo "gofmt needed:"; echo "$$bad"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# One package at a time (-p 1): the tests that send load for seconds (smoke runs, pacer
# accuracy) and the browser test would otherwise starve each other on 2 cores.
unit:
	$(GO) test -p 1 -timeout 15m $(PKGS)

## test-stress: the end-to-end tests STRESS_RUNS times (default 5) with a busy loop on
## every core: a verdict must not follow the host's load (bench/stress)
STRESS_RUNS ?= 5
test-stress:
	RUNS=$(STRESS_RUNS) bench/stress

## fuzz: each fuzz target for FUZZTIME (default 30s)
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzBandwidth -fuzztime $(FUZZTIME) ./scenarios/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./scenarios/
	$(GO) test -run '^$$' -fuzz FuzzReadLog -fuzztime $(FUZZTIME) ./harness/load/
	$(GO) test -run '^$$' -fuzz FuzzParseShard -fuzztime $(FUZZTIME) ./harness/load/
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) ./harness/journal/
	$(GO) test -run '^$$' -fuzz FuzzDossierDecode -fuzztime $(FUZZTIME) ./stubs/portal/

## bench: the generator against vegeta's CLI and wrk on the same target (ratios)
bench: build tools
	bench/run

## tools: what bench needs (wrk from Debian, vegeta's CLI from the Go module proxy)
tools:
	@command -v wrk >/dev/null || { command -v apt-get >/dev/null && (apt-get update -qq && apt-get install -y -qq wrk) || echo "install wrk to compare with it"; }
	@command -v vegeta >/dev/null || $(GO) install github.com/tsenart/vegeta/v12@v12.13.0

clean:
	rm -rf bin
