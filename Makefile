# Vitrine developer commands. `make test` is the one command that runs every test; CI runs
# `make check` and then exactly `make test`.

GO ?= go

.PHONY: run test check generate build lint migration migration-sum

## run: serve on :8080 with the embedded store and demo data
run:
	$(GO) run ./cmd/vitrine serve

## test: every test, on SQLite and Postgres (same as the README's `go test -count=1 ./...`)
test:
	$(GO) test -count=1 ./...

## build: a static binary in ./vitrine
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o vitrine ./cmd/vitrine

## generate: regenerate ent and gqlgen code
generate:
	$(GO) generate ./...

# Writing a migration needs a dev database of each dialect: the stale-migrations test has them
# (a throwaway Postgres from internal/storetest or VITRINE_TEST_DATABASE_URL, an in-memory SQLite),
# so it is also the generator. It writes a new file only when ent/schema has changed.
MIGRATIONS_TEST = $(GO) test -count=1 -run '^TestMigrationsMatchSchema$$' ./internal/store -args

## migration name=NAME: write ent/schema's changes as new migration files (both dialects)
migration:
	@test -n "$(name)" || { echo "usage: make migration name=add_something"; exit 1; }
	$(MIGRATIONS_TEST) -migration=$(name)
	@git status --short ent/migrate/migrations

## migration-sum: recompute atlas.sum after adding or editing a hand-written migration file
migration-sum:
	$(MIGRATIONS_TEST) -rehash

## lint: gofmt, go vet and staticcheck
lint:
	@bad=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$bad" ]; then echo "gofmt -w needed on:"; echo "$$bad"; exit 1; fi
	$(GO) vet ./...
	@# ent/ is generated (ent/schema excepted) and uses APIs gqlgen has since deprecated.
	staticcheck $$($(GO) list ./... | grep -v '/ent$$' | grep -v '/ent/') ./ent/schema/...

# The tree is compared before and after `go generate`, so this also works with uncommitted work.
GENERATED_STATE = git status --porcelain --untracked-files=all && git diff

## check: lint, prove that third_party/gqlgen is upstream + its patch, and that the committed
## generated code is what `go generate` produces
check: lint
	bash third_party/gqlgen.sh check
	@before=$$($(GENERATED_STATE)); $(GO) generate ./...; after=$$($(GENERATED_STATE)); \
	if [ "$$before" != "$$after" ]; then echo "generated code is stale: run go generate ./... and commit"; git status --short; exit 1; fi
