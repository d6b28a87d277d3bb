package store_test

import (
	"context"
	"fmt"
	"testing"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// counters returns product_id -> [n1..n5] as kept by the triggers: on Postgres, the counter rows
// plus the deltas not yet folded into them.
func counters(t *testing.T, st *store.Store) map[int][5]int {
	t.Helper()
	query := `SELECT product_id, n1, n2, n3, n4, n5 FROM product_rating_stats`
	if st.Dialect == dialect.Postgres {
		query = `SELECT product_id, SUM(n1), SUM(n2), SUM(n3), SUM(n4), SUM(n5) FROM (` + query +
			` UNION ALL SELECT product_id, n1, n2, n3, n4, n5 FROM product_rating_stat_deltas) u GROUP BY product_id`
	}
	rows, err := st.DB.QueryContext(context.Background(), query)
	require.NoError(t, err)
	defer rows.Close()
	out := map[int][5]int{}
	for rows.Next() {
		var id int
		var n [5]int
		require.NoError(t, rows.Scan(&id, &n[0], &n[1], &n[2], &n[3], &n[4]))
		if n != [5]int{} {
			out[id] = n
		}
	}
	return out
}

// bruteCounters recomputes the counters from the ratings.
func bruteCounters(t *testing.T, st *store.Store) map[int][5]int {
	t.Helper()
	out := map[int][5]int{}
	for _, r := range st.Client.Rating.Query().AllX(context.Background()) {
		n := out[r.ProductID]
		n[r.Stars-1]++
		out[r.ProductID] = n
	}
	return out
}

// reviewCounters returns product_id -> review count as kept by the triggers.
func reviewCounters(t *testing.T, st *store.Store) map[int]int {
	t.Helper()
	rows, err := st.DB.QueryContext(context.Background(), `SELECT product_id, n FROM product_review_stats WHERE n > 0`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var id, n int
		require.NoError(t, rows.Scan(&id, &n))
		out[id] = n
	}
	return out
}

func bruteReviewCounters(t *testing.T, st *store.Store) map[int]int {
	t.Helper()
	out := map[int]int{}
	for _, r := range st.Client.Review.Query().AllX(context.Background()) {
		out[r.ProductID]++
	}
	return out
}

func TestCountersFollowEveryChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := st.Client
		cat := c.Category.Create().SetName("C").SetSlug("c").SaveX(ctx)
		var pids []int
		for i := range 4 {
			pids = append(pids, c.Product.Create().SetSku(fmt.Sprint("S", i)).SetName("P").SetSlug(fmt.Sprint("p-", i)).SetPrice(1).SetCategory(cat).SaveX(ctx).ID)
		}
		var uids []int
		for i := range 5 {
			uids = append(uids, c.User.Create().SetEmail(fmt.Sprintf("u%d@example.com", i)).SetDisplayName("U").SetPasswordHash("!").SaveX(ctx).ID)
		}
		for i, p := range pids {
			for j, u := range uids {
				c.Rating.Create().SetProductID(p).SetUserID(u).SetStars((i+j)%5 + 1).ExecX(ctx)
				if (i+j)%2 == 0 {
					c.Review.Create().SetProductID(p).SetAuthorID(u).SetTitle("t").SetBody("b").ExecX(ctx)
				}
			}
		}
		require.Equal(t, bruteCounters(t, st), counters(t, st), "after inserts")
		require.Equal(t, bruteReviewCounters(t, st), reviewCounters(t, st), "after inserts")
		c.Review.DeleteOne(c.Review.Query().FirstX(ctx)).ExecX(ctx)
		require.Equal(t, bruteReviewCounters(t, st), reviewCounters(t, st), "after a review delete")

		ratings := c.Rating.Query().AllX(ctx)
		c.Rating.UpdateOne(ratings[0]).SetStars(ratings[0].Stars%5 + 1).ExecX(ctx)
		c.Rating.DeleteOne(ratings[1]).ExecX(ctx)
		require.Equal(t, bruteCounters(t, st), counters(t, st), "after an update and a delete")
		if st.Dialect == dialect.Postgres {
			// The delete below then finds the product's counts folded into its counter row.
			ok, err := analytics.FoldDeltas(ctx, st.DB)
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, bruteCounters(t, st), counters(t, st), "after a fold")
		}

		c.Product.DeleteOneID(pids[0]).ExecX(ctx) // cascades to its ratings, reviews and counters
		require.Equal(t, bruteCounters(t, st), counters(t, st), "after a cascading product delete")
		require.Equal(t, bruteReviewCounters(t, st), reviewCounters(t, st), "after a cascading product delete")

		// Counters lost (a bulk load with triggers off) come back from the ratings.
		for _, table := range []string{"product_rating_stats", "product_review_stats"} {
			_, err := st.DB.ExecContext(ctx, `DELETE FROM `+table)
			require.NoError(t, err)
		}
		require.NoError(t, analytics.RebuildAggregates(ctx, st.DB, st.Dialect))
		require.Equal(t, bruteCounters(t, st), counters(t, st), "after a rebuild")
		require.Equal(t, bruteReviewCounters(t, st), reviewCounters(t, st), "after a rebuild")
		require.NoError(t, st.Migrate(ctx), "migrating again is a no-op")
		require.Equal(t, bruteCounters(t, st), counters(t, st))
	})
}
