package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

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

// rollups returns the non-zero rows of a rollup table as kept by the triggers.
func rollups(t *testing.T, st *store.Store, table string) map[rollupKey][5]int {
	t.Helper()
	cols := "n1, n2, n3, n4, n5"
	if table == "review_rollups" {
		cols = "n, 0, 0, 0, 0"
	}
	// The all-time totals ('-infinity') come back as the zero time.
	rows, err := st.DB.QueryContext(context.Background(), `SELECT scope_id,
		CASE WHEN hour = '-infinity' THEN '0001-01-01 00:00:00+00' ELSE hour END, `+cols+` FROM `+table)
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

	c.Product.UpdateOneID(pids[2]).SetCategoryID(other.ID).ExecX(ctx) // leaf → other
	c.Product.UpdateOneID(pids[1]).SetCategoryID(leaf.ID).ExecX(ctx)  // mid → leaf: only leaf gains
	requireRollupsExact(t, st, "after products moved")

	c.Category.UpdateOneID(mid.ID).SetParentID(other.ID).ExecX(ctx) // the mid subtree moves under other
	requireRollupsExact(t, st, "after a subtree moved")
	c.Category.UpdateOneID(mid.ID).ClearParent().ExecX(ctx) // and becomes a root
	requireRollupsExact(t, st, "after a subtree became a root")

	c.Product.DeleteOneID(pids[0]).ExecX(ctx) // cascades to its ratings and reviews
	requireRollupsExact(t, st, "after a cascading product delete")

	// Concurrent writers on the same hot rows (catalog scope, this hour) stay exact.
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
				require.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	requireRollupsExact(t, st, "after concurrent upserts and deletes")

	// An explicit rebuild gives the same rows the triggers kept.
	require.NoError(t, analytics.RebuildAggregates(ctx, st.DB, st.Dialect))
	requireRollupsExact(t, st, "after RebuildAggregates")
}
