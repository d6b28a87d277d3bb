// Package storetest runs a test against every store Vitrine supports: the embedded SQLite file
// and a real Postgres database from pgtest. Each subtest gets a fresh, migrated, empty store.
package storetest

import (
	"context"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/vitrinehq/vitrine/internal/pgtest"
	"github.com/vitrinehq/vitrine/internal/store"
)

// Kinds names the stores, in the order tests run on them.
var Kinds = []string{"sqlite", "postgres"}

// Open returns a fresh migrated store of the given kind, closed when the test ends. wrap, if
// non-nil, wraps the ent driver (e.g. to count statements).
func Open(tb testing.TB, kind string, wrap func(dialect.Driver) dialect.Driver) *store.Store {
	tb.Helper()
	opts := store.Options{DataDir: tb.TempDir(), WrapDriver: wrap}
	if kind == "postgres" {
		opts.DatabaseURL = pgtest.URL(tb)
	}
	st, err := store.Open(context.Background(), opts)
	if err != nil {
		tb.Fatalf("open %s store: %v", kind, err)
	}
	tb.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate %s store: %v", kind, err)
	}
	return st
}

// Each runs fn as one subtest per store kind.
func Each(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Helper()
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) {
			fn(t, Open(t, kind, nil))
		})
	}
}
