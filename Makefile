# The library's module is the repository root; the examples and the
# embedded test server are a second module in examples/, so that services
# importing the library do not pull in FerretDB. Package odmtest, what a
# service's tests import, is a third module in odmtest/, for the same reason.

GO ?= go

.PHONY: run test test-uri lint fmt bench bench-compare fuzz

## run: the quickstart (embedded server unless MONGODB_URI is set)
run:
	cd examples && $(GO) run ./quickstart

## test: every test of the three modules, with the race detector, verbose
test:
	$(GO) test -race -count=1 -v ./...
	cd examples && $(GO) test -race -count=1 -v ./...
	cd odmtest && $(GO) test -race -count=1 -v ./...

## test-uri: every test of the three modules against the server MONGODB_URI
## names (required: without it this target refuses to run, rather than
## fall back to the embedded server), with the race detector, verbose
test-uri:
	@if [ -z "$$MONGODB_URI" ]; then echo "test-uri: set MONGODB_URI, e.g. MONGODB_URI=mongodb://127.0.0.1:27018/ make test-uri" >&2; exit 2; fi
	$(GO) test -race -count=1 -v ./...
	cd examples && $(GO) test -race -count=1 -v ./...
	cd odmtest && $(GO) test -race -count=1 -v ./...

## lint: go vet, staticcheck and a gofmt check over the three modules, and a
## check that no build output is tracked
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	$(GO) vet ./...
	cd examples && $(GO) vet ./...
	cd odmtest && $(GO) vet ./...
	$(STATICCHECK) ./...
	cd examples && $(STATICCHECK) ./...
	cd odmtest && $(STATICCHECK) ./...
	scripts/check-tracked.sh
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

fmt:
	gofmt -w .

## bench: Init against the bare driver on the reference models (table in
## bench-results.txt), then the library's Go benchmarks; every ratio is
## measured within one run. Uses MONGODB_URI when set.
bench:
	cd examples && $(GO) run ./cmd/odmbench -rounds 21 -out ../bench-results.txt
	$(GO) test -run '^$$' -bench . -benchtime=20x ./odm/...

## bench-compare: the benchmarks of odm and its engine in the working tree (A)
## against BASE (B), alternated in COUNT pairs (default 10), as ratios A/B
## measured in one run; BENCH (a -test.bench regexp) and BENCHTIME override
## the default benchmarks and run lengths. Uses MONGODB_URI when set.
bench-compare:
	@if [ -z "$(BASE)" ]; then echo "bench-compare: set BASE, e.g. make bench-compare BASE=HEAD~1" >&2; exit 2; fi
	GO=$(GO) BASE='$(value BASE)' BENCH='$(value BENCH)' COUNT='$(value COUNT)' BENCHTIME='$(value BENCHTIME)' scripts/bench-compare.sh

## fuzz: each fuzz target for a bounded time (FUZZTIME), on top of the committed corpus
FUZZTIME ?= 20s
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh
