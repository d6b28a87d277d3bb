package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent/rating"
	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

type rollupKey struct {
	scope int
	hour  time.Time
}

// rollups returns the non-zero sums of a rollup table and its deltas as kept by the triggers.
func rollups(t *testing.T, st *store.Store, table string) map[rollupKey][5]int {
	t.Helper()
	cols, sums := "n1, n2, n3, n4, n5", "SUM(n1), SUM(n2), SUM(n3), SUM(n4), SUM(n5)"
	if table == "review_rollups" {
		cols, sums = "n", "SUM(n), 0, 0, 0, 0"
	}
	deltas := strings.TrimSuffix(table, "s") + "_deltas"
	// The all-time totals ('-infinity') come back as the zero time.
	rows, err := st.DB.QueryContext(context.Background(), `SELECT scope_id,
		CASE WHEN hour = '-infinity' THEN '0001-01-01 00:00:00+00' ELSE hour END, `+sums+`
		FROM (SELECT scope_id, hour, `+cols+` FROM `+table+` UNION ALL SELECT scope_id, hour, `+cols+` FROM `+deltas+`) u
		GROUP BY 1, 2`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[rollupKey][5]int{}
	for rows.Next() {
		var k rollupKey
		var n [5]int
		require.NoError(t, rows.Scan(&k.scope, &k.hour, &n[0], &n[1], &n[2], &n[3], &n[4]))
		if n != [5]int{} {
			k.hour = k.hour.UTC()
			out[k] = n
		}
	}
	require.NoError(t, rows.Err())
	return out
}

// bruteRollups recomputes both rollups in Go from the rows and the category tree.
func bruteRollups(t *testing.T, st *store.Store) (ratings, reviews map[rollupKey][5]int) {
	t.Helper()
	ctx := context.Background()
	parent := map[int]*int{}
	for _, c := range st.Client.Category.Query().AllX(ctx) {
		parent[c.ID] = c.ParentID
	}
	scopes := func(cat int) []int {
		out := []int{0}
		for id := &cat; id != nil; id = parent[*id] {
			out = append(out, *id)
		}
		return out
	}
	category := map[int]int{}
	for _, p := range st.Client.Product.Query().AllX(ctx) {
		category[p.ID] = p.CategoryID
	}
	ratings, reviews = map[rollupKey][5]int{}, map[rollupKey][5]int{}
	for _, r := range st.Client.Rating.Query().AllX(ctx) {
		for _, s := range scopes(category[r.ProductID]) {
			for _, k := range []rollupKey{{s, r.UpdatedAt.UTC().Truncate(time.Hour)}, {s, time.Time{}}} {
				n := ratings[k]
				n[r.Stars-1]++
				ratings[k] = n
			}
		}
	}
	for _, r := range st.Client.Review.Query().AllX(ctx) {
		for _, s := range scopes(category[r.ProductID]) {
			for _, k := range []rollupKey{{s, r.CreatedAt.UTC().Truncate(time.Hour)}, {s, time.Time{}}} {
				n := reviews[k]
				n[0]++
				reviews[k] = n
			}
		}
	}
	return ratings, reviews
}

func requireRollupsExact(t *testing.T, st *store.Store, when string) {
	t.Helper()
	ratings, reviews := bruteRollups(t, st)
	require.Equal(t, ratings, rollups(t, st, "rating_rollups"), "rating rollups %s", when)
	require.Equal(t, reviews, rollups(t, st, "review_rollups"), "review rollups %s", when)
}

// TestRollupsFollowEveryChange drives every write the triggers must follow and compares the
// hourly rollups with a recount from the rows after each. Postgres only: the embedded store
// has no rollups.
func TestRollupsFollowEveryChange(t *testing.T) {
	st := storetest.Open(t, "postgres", nil)
	ctx := context.Background()
	c := st.Client
	// root ─ mid ─ leaf, and a second root.
	root := c.Category.Create().SetName("Root").SetSlug("root").SaveX(ctx)
	mid := c.Category.Create().SetName("Mid").SetSlug("mid").SetParent(root).SaveX(ctx)
	leaf := c.Category.Create().SetName("Leaf").SetSlug("leaf").SetParent(mid).SaveX(ctx)
	other := c.Category.Create().SetName("Other").SetSlug("other").SaveX(ctx)
	cats := []int{root.ID, mid.ID, leaf.ID, other.ID}
	var pids []int
	for i := range 6 {
		pids = append(pids, c.Product.Create().SetSku(fmt.Sprint("S", i)).SetName("P").SetSlug(fmt.Sprint("p-", i)).
			SetPrice(1).SetCategoryID(cats[i%len(cats)]).SaveX(ctx).ID)
	}
	var uids []int
	for i := range 6 {
		uids = append(uids, c.User.Create().SetEmail(fmt.Sprintf("u%d@example.com", i)).SetDisplayName("U").SetPasswordHash("!").SaveX(ctx).ID)
	}
	base := time.Date(2026, 3, 29, 0, 40, 0, 0, time.UTC)
	for i, p := range pids {
		for j, u := range uids {
			at := base.Add(time.Duration(i*7+j*23) * time.Minute)
			c.Rating.Create().SetProductID(p).SetUserID(u).SetStars((i+j)%5 + 1).SetCreatedAt(at).SetUpdatedAt(at).ExecX(ctx)
			if (i+j)%2 == 0 {
				c.Review.Create().SetProductID(p).SetAuthorID(u).SetTitle("t").SetBody("b").SetCreatedAt(at).SetUpdatedAt(at).ExecX(ctx)
			}
		}
	}
	requireRollupsExact(t, st, "after inserts")

	ratings := c.Rating.Query().AllX(ctx)
	c.Rating.UpdateOne(ratings[0]).SetStars(ratings[0].Stars%5 + 1).ExecX(ctx) // new stars, updated_at now
	c.Rating.UpdateOne(ratings[1]).SetStars(ratings[1].Stars).SetUpdatedAt(base.Add(-72 * time.Hour)).ExecX(ctx)
	c.Rating.DeleteOne(ratings[2]).ExecX(ctx)
	c.Review.DeleteOne(c.Review.Query().FirstX(ctx)).ExecX(ctx)
	requireRollupsExact(t, st, "after rating updates and deletes")
	// So far every count is a delta; a fold moves them into the rollups without changing a sum,
	// and the moves below shift rollup rows with no delta pending.
	fold(t, st)
	requireRollupsExact(t, st, "after a fold")

	c.Product.UpdateOneID(pids[2]).SetCategoryID(other.ID).ExecX(ctx) // leaf → other
	c.Product.UpdateOneID(pids[1]).SetCategoryID(leaf.ID).ExecX(ctx)  // mid → leaf: only leaf gains
	requireRollupsExact(t, st, "after products moved")

	// Pending deltas again before the subtree moves, the delete and a category's delete.
	c.Rating.UpdateOne(ratings[3]).SetStars(ratings[3].Stars%5 + 1).ExecX(ctx)
	c.Category.UpdateOneID(mid.ID).SetParentID(other.ID).ExecX(ctx) // the mid subtree moves under other
	requireRollupsExact(t, st, "after a subtree moved")
	c.Category.UpdateOneID(mid.ID).ClearParent().ExecX(ctx) // and becomes a root
	requireRollupsExact(t, st, "after a subtree became a root")

	c.Product.DeleteOneID(pids[0]).ExecX(ctx) // cascades to its ratings and reviews
	requireRollupsExact(t, st, "after a cascading product delete")

	// A category that held a rated product, emptied and deleted, leaves no rows behind, folded
	// or not.
	gone := c.Category.Create().SetName("Gone").SetSlug("gone").SetParent(root).SaveX(ctx)
	c.Product.UpdateOneID(pids[3]).SetCategoryID(gone.ID).ExecX(ctx)
	fold(t, st)
	c.Rating.Create().SetProductID(pids[3]).SetUserID(uids[0]).SetStars(2).
		OnConflictColumns("product_id", "user_id").UpdateNewValues().ExecX(ctx)
	c.Product.UpdateOneID(pids[3]).SetCategoryID(root.ID).ExecX(ctx)
	c.Category.DeleteOneID(gone.ID).ExecX(ctx)
	var left int
	require.NoError(t, st.DB.QueryRow(`SELECT (SELECT count(*) FROM rating_rollups WHERE scope_id = $1) +
		(SELECT count(*) FROM rating_rollup_deltas WHERE scope_id = $1)`, gone.ID).Scan(&left))
	require.Zero(t, left, "rollup rows of a deleted category")
	requireRollupsExact(t, st, "after a category's delete")

	// Concurrent writers on the same scopes and hours (the catalog's, this hour's) stay exact
	// while folds run beside them.
	folding, stop := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(folding)
		for {
			select {
			case <-stop:
				return
			default:
			}
			// assert, not require: FailNow must not run on another goroutine than the test's.
			if _, err := analytics.FoldDeltas(ctx, st.DB); !assert.NoError(t, err) {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for i, u := range uids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range pids[1:] {
				err := c.Rating.Create().SetProductID(p).SetUserID(u).SetStars(i%5+1).
					OnConflictColumns("product_id", "user_id").UpdateNewValues().Exec(ctx)
				if err == nil && i%2 == 0 {
					_, err = c.Rating.Delete().Where(rating.ProductID(p), rating.UserID(u)).Exec(ctx)
				}
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-folding
	requireRollupsExact(t, st, "after concurrent upserts, deletes and folds")
	fold(t, st)
	requireRollupsExact(t, st, "after the last fold")

	// An explicit rebuild gives the same rows the triggers kept.
	require.NoError(t, analytics.RebuildAggregates(ctx, st.DB, st.Dialect))
	requireRollupsExact(t, st, "after RebuildAggregates")
}

// fold folds every pending delta and checks that none is left.
func fold(t *testing.T, st *store.Store) {
	t.Helper()
	ok, err := analytics.FoldDeltas(context.Background(), st.DB)
	require.NoError(t, err)
	require.True(t, ok, "no other fold runs")
	var left int
	require.NoError(t, st.DB.QueryRow(`SELECT (SELECT count(*) FROM rating_rollup_deltas) + (SELECT count(*) FROM review_rollup_deltas)`).Scan(&left))
	require.Zero(t, left, "deltas left after a fold")
}

// TestRatingsDoNotWaitForEachOther: ratings of one product (so of the same counter row) and of
// one category (so of the same rollup scopes and hour), in open transactions, do not wait for
// each other, nor does a fold beside them. Each waits for a lock at most lock_timeout, and fails
// if it has to.
func TestRatingsDoNotWaitForEachOther(t *testing.T) {
	st := storetest.Open(t, "postgres", nil)
	ctx := context.Background()
	c := st.Client
	cat := c.Category.Create().SetName("Hot").SetSlug("hot").SaveX(ctx)
	var pids, uids []int
	for i := range 3 {
		pids = append(pids, c.Product.Create().SetSku(fmt.Sprint("H", i)).SetName("P").SetSlug(fmt.Sprint("h-", i)).
			SetPrice(1).SetCategoryID(cat.ID).SaveX(ctx).ID)
		uids = append(uids, c.User.Create().SetEmail(fmt.Sprintf("h%d@example.com", i)).SetDisplayName("U").SetPasswordHash("!").SaveX(ctx).ID)
	}
	// One rating already folded, so that the rollup rows the writers would have shared exist.
	c.Rating.Create().SetProductID(pids[0]).SetUserID(uids[1]).SetStars(3).ExecX(ctx)
	fold(t, st)

	var txs []*sql.Tx
	for i, r := range [][2]int{{pids[0], uids[0]}, {pids[0], uids[2]}, {pids[1], uids[0]}} {
		tx, err := st.DB.BeginTx(ctx, nil)
		require.NoError(t, err)
		defer tx.Rollback() //nolint:errcheck // committed below
		_, err = tx.Exec(`SET LOCAL lock_timeout = '3s'`)
		require.NoError(t, err)
		_, err = tx.Exec(`INSERT INTO ratings (product_id, user_id, stars, created_at, updated_at) VALUES ($1, $2, 5, now(), now())`, r[0], r[1])
		require.NoError(t, err, "rating %d waited for another's locks", i)
		txs = append(txs, tx)
	}
	conn, err := st.DB.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `SET lock_timeout = '3s'`)
	require.NoError(t, err)
	var folded int64
	require.NoError(t, conn.QueryRowContext(ctx, `SELECT vitrine_aggregates_fold()`).Scan(&folded), "a fold waited for the writers")
	for _, tx := range txs {
		require.NoError(t, tx.Commit())
	}
	requireRollupsExact(t, st, "after the commits")
	require.Equal(t, bruteCounters(t, st), counters(t, st), "counters after the commits")
	fold(t, st)
	requireRollupsExact(t, st, "after the fold")
	require.Equal(t, bruteCounters(t, st), counters(t, st), "counters after the fold")
}

// TestFoldsTakeTurns: a fold that finds another under way leaves the deltas to it.
func TestFoldsTakeTurns(t *testing.T) {
	st := storetest.Open(t, "postgres", nil)
	ctx := context.Background()
	tx, err := st.DB.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback() //nolint:errcheck // a read-only transaction
	var n int64
	require.NoError(t, tx.QueryRow(`SELECT vitrine_aggregates_fold()`).Scan(&n))
	require.GreaterOrEqual(t, n, int64(0))
	ok, err := analytics.FoldDeltas(ctx, st.DB)
	require.NoError(t, err)
	require.False(t, ok, "a second fold while the first's transaction is open")
	require.NoError(t, tx.Rollback())
	ok, err = analytics.FoldDeltas(ctx, st.DB)
	require.NoError(t, err)
	require.True(t, ok)
}
