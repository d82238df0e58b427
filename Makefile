# Tandem. `make run` starts the product, `make test` checks it; both install
# what they need first.
SHELL := /bin/bash
GO ?= go
export LANG ?= C.UTF-8
BIN := $(CURDIR)/bin
PKGS := ./...

.PHONY: all deps build run test lint bench fmt clean cross

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
CROSS_PKGS = $(shell $(GO) list ./... | grep -v -E '/(ui|cmd/rep|cmd/customer|internal/.*)$$')
cross:
	GOOS=windows CGO_ENABLED=0 $(GO) build $(CROSS_PKGS)
	GOOS=darwin CGO_ENABLED=0 $(GO) build $(CROSS_PKGS)

test: lint cross
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

bench: build
	@$(GO) run ./cmd/bench

clean:
	rm -rf $(BIN)
