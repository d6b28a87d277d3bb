package graph_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// countedLiveStore opens a store of kind whose driver counts statements; on Postgres it also
// returns the URL, for a broker that fans out through LISTEN/NOTIFY as serve wires it.
func countedLiveStore(t *testing.T, kind string) (*store.Store, *storetest.CountingDriver, string) {
	t.Helper()
	var counter *storetest.CountingDriver
	opts := store.Options{DataDir: t.TempDir(), WrapDriver: func(d dialect.Driver) dialect.Driver {
		counter = storetest.CountStatements(d)
		return counter
	}}
	if kind == "postgres" {
		opts.DatabaseURL = storetest.URL(t)
	}
	st, err := store.Open(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	return st, counter, opts.DatabaseURL
}

// TestMutationPublishesInItsTransaction: on Postgres the NOTIFY is one more statement of the
// mutation's transaction — its last before COMMIT — so the write and its event commit or roll
// back together; the embedded store publishes in memory after COMMIT, at no statement.
func TestMutationPublishesInItsTransaction(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			st, counter, pgURL := countedLiveStore(t, kind)
			fx := loadFixture(t, st.Client)
			s := newLiveServer(t, st, liveOptions{pgURL: pgURL})
			other := s
			if pgURL != "" {
				other = newLiveServer(t, st, liveOptions{pgURL: pgURL}) // another process
			}
			product := relay.Encode(fx.products[4].ID)
			rater := s.as(s.token(t, fx.users[1].ID))
			const rate = `mutation($p: ID!) { rateProduct(productID: $p, stars: 3) { stars } }`

			// No subscriber yet, so the count is the mutation's alone: the token's account,
			// the product's category, the upsert, the rating read back — and, on Postgres,
			// the NOTIFY, which used to run after COMMIT on a connection of its own and is
			// now the transaction's last statement.
			counter.Reset(true)
			rater.MustData(t, &struct{}{}, rate, map[string]any{"p": product})
			stmts := counter.Statements()
			want := 4
			if pgURL != "" {
				want = 5
				require.Contains(t, stmts[len(stmts)-1], "pg_notify", "the NOTIFY comes last, inside the transaction")
			}
			require.Len(t, stmts, want, "%q", stmts)
			require.Equal(t, 1, counter.Transactions())

			w := other.connect(t, nil)
			w.subscribe("s", summaryDoc, map[string]any{"p": product})
			w.none(200 * time.Millisecond)
			rater.MustData(t, &struct{}{}, `mutation($p: ID!) { rateProduct(productID: $p, stars: 5) { stars } }`, map[string]any{"p": product})
			var got struct{ RatingSummaryChanged struct{ Count int } }
			w.data("s", &got)
			require.Equal(t, 1, got.RatingSummaryChanged.Count)

			// A transaction that rolls back took its NOTIFY with it.
			resp := rater.Do(t, `mutation($p: ID!) { a: rateProduct(productID: $p, stars: 1) { stars }
				b: rateProduct(productID: $p, stars: 9) { stars } }`, map[string]any{"p": product})
			require.NotEmpty(t, resp.Errors)
			w.none(300 * time.Millisecond)
		})
	}
}

// notifies counts the statements among stmts that send a notification.
func notifies(stmts []string) int {
	n := 0
	for _, s := range stmts {
		if strings.Contains(s, "pg_notify") {
			n++
		}
	}
	return n
}
