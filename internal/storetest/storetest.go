// Package storetest gives tests real databases: a fresh, migrated, empty store of each kind
// Vitrine supports (Open, Each: the embedded SQLite file and Postgres), a fresh Postgres
// database (URL, from VITRINE_TEST_DATABASE_URL or a throwaway server; see postgres.go), and a
// primary with a streaming replica (StartReplicated). A package using Postgres calls Main from
// its TestMain.
package storetest

import (
	"context"
	"testing"

	"entgo.io/ent/dialect"

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
		opts.DatabaseURL = URL(tb)
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
