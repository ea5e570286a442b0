# e-people. Every build, test and run goes through here so that the build tags
# are always the same and go-sqlite3 (cgo) compiles once.
GO      ?= go
TAGS    := sqlite_fts5
BIN     := bin/epeople
DB      ?= ./data/epeople.db
export CGO_ENABLED := 1
# The toolchain line in go.mod decides which Go builds and tests: an older local Go
# fetches that release through the module proxy (overrides GOTOOLCHAIN=local in the
# environment; `make GOTOOLCHAIN=local ...` still wins).
export GOTOOLCHAIN := auto

# The common-password list refused at registration, when this checkout sits beside shared/.
DENYLIST := $(wildcard ../shared/corpora/passwords-zxcvbn/passwords-top10000.txt)
# Throw-away e-mail domains whose new accounts are held for review, likewise.
DISPOSABLE := $(wildcard ../shared/corpora/disposable-email-domains/disposable_email_blocklist.conf)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# axe-core, which the accessibility tests (forum/web/a11y_test.go) inject into each page.
AXE_VERSION := 4.14.1
AXE := .cache/npm/node_modules/axe-core/axe.min.js
# The Nu Html Checker, which forum/web/htmlcheck_test.go runs over every page type (it needs Java).
VNU_VERSION := 26.9.27
VNU := .cache/npm/node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: run build test test-postgres test-deps lint vulncheck fuzz bench clean

# Tools of the build itself, under .ci/ (./... skips dot folders, so they are named).
TOOLS := ./.ci/vulndb

## run: start the forum on ./data with demo data (a fresh database is seeded once) and the test identity provider
run: build
	./$(BIN) serve -demo -identity-test -db $(DB) $(if $(DENYLIST),-password-denylist $(DENYLIST)) $(if $(DISPOSABLE),-disposable-domains $(DISPOSABLE))

## build: compile bin/epeople
build:
	$(GO) build -tags $(TAGS) -o $(BIN) .

# The suites that run a second time on PostgreSQL (EPEOPLE_TEST_DB=postgres).
PG_SUITES := ./forum/store/... ./forum/web ./forum/live

## test: install what the tests need when missing, check for known vulnerabilities, fuzz briefly, then run every test on SQLite and the store, web and live suites again on PostgreSQL
test: test-deps lint vulncheck fuzz
	$(GO) test -tags $(TAGS) -count=1 -timeout 40m ./... $(TOOLS)
	EPEOPLE_TEST_DB=postgres $(GO) test -tags $(TAGS) -count=1 -timeout 40m $(PG_SUITES)

## test-postgres: only the suites that run on PostgreSQL, on PostgreSQL
test-postgres: test-deps
	EPEOPLE_TEST_DB=postgres $(GO) test -tags $(TAGS) -count=1 -timeout 40m $(PG_SUITES)

test-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'WenQuanYi Micro Hei'; then \
		echo "Installing chromium and fonts-wqy-microhei with apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei fontconfig; \
	fi
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v nats-server >/dev/null 2>&1; then \
		echo "Installing postgresql and nats-server with apt-get (the tests start private servers of their own)"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends postgresql nats-server; \
	fi
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "Installing nodejs and npm with apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm; \
	fi
	@if ! command -v java >/dev/null 2>&1; then \
		echo "Installing default-jre-headless with apt-get (for the Nu Html Checker)"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends default-jre-headless; \
	fi
	@# One npm install for both: --no-save removes from .cache/npm what the command does not name.
	@if [ ! -f $(AXE) ] || ! grep -q '"version": "$(AXE_VERSION)"' $(dir $(AXE))package.json || \
		[ ! -f $(VNU) ] || ! grep -q '"version": "$(VNU_VERSION)"' .cache/npm/node_modules/vnu-jar/package.json; then \
		echo "Installing axe-core@$(AXE_VERSION) and vnu-jar@$(VNU_VERSION) into .cache/npm"; \
		npm install --no-save --no-audit --no-fund --prefix .cache/npm axe-core@$(AXE_VERSION) vnu-jar@$(VNU_VERSION); \
	fi

# Fuzz targets as package:Name. Go fuzzes one target per package per run, so
# each gets its own go test; FUZZTIME is each one's budget, baseline included.
# The budget is a count of runs, not a duration: with a duration, Go 1.26's
# fuzz coordinator can report its own deadline as a failure ("context
# deadline exceeded", no failing input; go.dev/issue/75804, fixed in 1.27),
# and a count has no deadline to race.
FUZZ_TARGETS := ./forum/search:FuzzTokens ./moderation:FuzzSanitize ./moderation:FuzzFindPersonalData ./forum/store:FuzzCursor ./forum/workday:FuzzDue \
	./forum/web:FuzzRequestParsers ./forum/web:FuzzRequest ./forum/attachment:FuzzCheck
FUZZTIME ?= 10000x

## fuzz: run each fuzz target for FUZZTIME (seed corpora in testdata/fuzz/; a failing input is saved there)
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 1s $$pkg; \
	done

## lint: gofmt and go vet
lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet -tags $(TAGS) ./... $(TOOLS)

# govulncheck and the vulnerability database it reads are both pinned, so a new report
# fails the build only when someone moves VULNDB_VERSION (README: Dependencies and
# vulnerabilities). The database is built from the golang.org/x/vulndb module, which the
# module proxy serves (vuln.go.dev need not be reachable), once per version into .cache/.
GOVULNCHECK_VERSION := v1.10.0
VULNDB_VERSION ?= v0.0.0-20261105234957-e22db6528018
VULNDB := .cache/vulndb/$(VULNDB_VERSION)

## vulncheck: fail on any known vulnerability our code reaches (standard library included)
vulncheck: $(VULNDB)/index/modules.json
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION) -tags $(TAGS) -db file://$(abspath $(VULNDB)) ./...

$(VULNDB)/index/modules.json:
	$(GO) run ./.ci/vulndb -version $(VULNDB_VERSION) -out $(VULNDB)

## bench: Go benchmarks of the store and the web pages
bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
