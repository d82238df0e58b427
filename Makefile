# Tandem. `make run` starts the product, `make test` checks it; both install
# what they need first.
SHELL := /bin/bash
GO ?= go
export LANG ?= C.UTF-8
BIN := $(CURDIR)/bin
PKGS := ./...

.PHONY: all deps build run test lint bench fmt clean cross fuzz

all: build

deps:
	@scripts/deps.sh

build: deps
	CGO_ENABLED=0 $(GO) build -o $(BIN)/tandem-server ./cmd/server
	$(GO) build -o $(BIN)/tandem-rep ./cmd/rep
	$(GO) build -o $(BIN)/tandem-customer ./cmd/customer

run: build
	@scripts/run.sh

lint: deps
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)
	$(BIN)/staticcheck $(PKGS)

# cross builds every package but the Fyne apps (which need cgo and the
# target's GL headers) and test helpers for the other systems the product
# supports, without cgo: per-OS files must compile everywhere.
CROSS_PKGS = $(shell $(GO) list ./... | grep -v -E '/(ui|cmd/rep|cmd/customer|cmd/bench|internal/.*)$$')
cross:
	GOOS=windows CGO_ENABLED=0 $(GO) build $(CROSS_PKGS)
	GOOS=darwin CGO_ENABLED=0 $(GO) build $(CROSS_PKGS)

# fuzz runs every fuzz target of the parsers of network input for a short
# while on top of its seed corpus (which the ordinary tests run too). The
# budget is a count of inputs: a duration races Go's fuzz coordinator
# (go.dev/issue/75804, fixed in Go 1.27), which then fails a target that
# found nothing with "context deadline exceeded" on a busy machine.
FUZZ_TIME ?= 10000x
FUZZ_TARGETS = ./input:FuzzDecode ./input:FuzzRoundTrip ./codec:FuzzDecode ./client:FuzzDecodeScreenMsg ./client:FuzzControlMessages ./client:FuzzParseHandoff ./client/joindata:FuzzRead ./host:FuzzParseOSRelease ./client:FuzzServiceMessage ./server/hub:FuzzSendsVideo
fuzz: deps
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name for $(FUZZ_TIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZ_TIME) $$pkg; \
	done

# The test binaries are built in parallel, then the packages run one at a
# time: each starts its own Xvfb displays, servers and WebRTC sessions,
# and two such packages on a two-core machine starve each other's media.
# TEST_P=2 runs two at a time.
TEST_P ?= 1
test: lint cross fuzz
	$(GO) test -race -count=1 -exec /bin/true $(PKGS) >/dev/null
	$(GO) test -race -count=1 -p $(TEST_P) -timeout 30m $(PKGS)

bench: build
	@$(GO) run ./cmd/bench

clean:
	rm -rf $(BIN)
