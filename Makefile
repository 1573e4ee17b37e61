# socketlab — make run · make test · make build · make bench
#
# File targets keep a second `make run` from rebuilding what has not
# changed: the wasm is rebuilt only when app/ or go.mod change, and its
# compressed copies only when the wasm does.

GO      ?= go
WASM    := web/dist/app.wasm
BIN     := bin/socketlab
ARGS    ?=
FUZZTIME ?= 100000x

APP_SRC    := $(shell find app -name '*.go' -not -name '*_test.go') go.mod go.sum
SERVER_SRC := $(shell find server web -name '*.go' -not -name '*_test.go') $(wildcard web/static/*)

.PHONY: all build run test vet unit e2e fuzz bench bench-quick docs conform clean

all: build

## build: the single server binary, with the wasm and assets embedded
build: $(BIN)

$(WASM): $(APP_SRC)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $@ ./app

# One rule writes both copies; the .br file stands for the pair.
$(WASM).br: $(WASM) web/precompress/main.go
	$(GO) run ./web/precompress $(WASM)

$(BIN): $(WASM).br $(SERVER_SRC) $(APP_SRC)
	$(GO) build -trimpath -o $@ ./server

## run: build what is stale and serve http://localhost:8080
run: $(BIN)
	./$(BIN) $(ARGS)

## test: formatting, vet (native and wasm), unit tests, fuzz smoke, e2e in Chrome
test: vet unit fuzz e2e

vet:
	@out=$$(gofmt -l app server web e2e internal); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./app/...

unit: $(WASM).br
	$(GO) test -race $$($(GO) list ./... | grep -v '/e2e$$')

# Every fuzz target, briefly: enough to catch a regression on the seed
# corpus plus some fresh inputs, cheap enough for CI. A count of inputs
# rather than a duration: under load, a timed run can end with a spurious
# "context deadline exceeded" from the fuzzing coordinator.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/^func //'); do \
	    echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

# -v so that the log names every scenario as passed (or skipped).
# E2E_BROWSER=firefox (or chrome, webkit, or a list: firefox,webkit) runs
# one engine's part only.
e2e: $(WASM).br
	$(GO) test -count=1 -v -timeout 15m ./e2e

## bench: measure speed, memory and size; writes BENCH.md (under 10 minutes)
bench: $(WASM).br
	$(GO) run ./e2e/bench -out BENCH.md

## bench-quick: the same with short runs (about a minute), for development
bench-quick: $(WASM).br
	$(GO) run ./e2e/bench -quick -out BENCH.md

## conform: the RFC 6455 conformance suite against every socket; writes docs/conformance.md
conform:
	CONFORM_REPORT=$(CURDIR)/docs/conformance.md $(GO) test -count=1 -run '^TestConformance$$' -v ./server/conformance

## docs: refresh the README's screenshots (docs/*.png, and every page at
## 375 and 1280 px in each engine: docs/screens/<engine>/) from the e2e suite
docs: $(WASM).br
	SOCKETLAB_DOCS=1 $(GO) test -count=1 -run '^(TestScreens|TestLayouts|TestBrowsers)$$//^scenarios$$/^layouts$$' ./e2e

clean:
	rm -rf bin web/dist/app.wasm* e2e/artifacts
