package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// TestServeFoldsAggregateDeltas: a server on Postgres folds the deltas a rating appends into
// the counters and rollups by itself (analytics.KeepFolding), once a second.
func TestServeFoldsAggregateDeltas(t *testing.T) {
	url := storetest.URL(t)
	startServer(t, map[string]string{"DATABASE_URL": url, "VITRINE_DATA_DIR": t.TempDir()})
	st, err := store.Open(context.Background(), store.Options{DatabaseURL: url, DataDir: t.TempDir()})
	require.NoError(t, err)
	defer st.Close()
	ctx, c, db := context.Background(), st.Client, st.DB
	cat := c.Category.Create().SetName("C").SetSlug("c").SaveX(ctx)
	product := c.Product.Create().SetSku("S").SetName("P").SetSlug("p").SetPrice(1).SetCategory(cat).SaveX(ctx).ID
	user := c.User.Create().SetEmail("u@example.com").SetDisplayName("U").SetPasswordHash("!").SaveX(ctx)
	c.Rating.Create().SetProductID(product).SetUser(user).SetStars(4).ExecX(ctx)

	pending := func() int {
		var n int
		require.NoError(t, db.QueryRow(`SELECT (SELECT count(*) FROM product_rating_stat_deltas) +
			(SELECT count(*) FROM rating_rollup_deltas) + (SELECT count(*) FROM review_rollup_deltas)`).Scan(&n))
		return n
	}
	require.Positive(t, pending(), "the rating's deltas, before a fold")
	require.Eventually(t, func() bool { return pending() == 0 }, 15*time.Second, 100*time.Millisecond, "deltas never folded")
	var n4 int
	require.NoError(t, db.QueryRow(`SELECT n4 FROM product_rating_stats WHERE product_id = $1`, product).Scan(&n4))
	require.Equal(t, 1, n4)
	var total int
	require.NoError(t, db.QueryRow(`SELECT n4 FROM rating_rollups WHERE scope_id = 0 AND hour = '-infinity'`).Scan(&total))
	require.Equal(t, 1, total)
}
