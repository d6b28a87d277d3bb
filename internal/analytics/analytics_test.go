package analytics_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type fixture struct {
	root, mid, leaf, other int
	products               []int // product i is in cats[i%4]
	productCat             map[int]int
	parent                 map[int]int
	ratings                []*ent.Rating
}

var base = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// seed makes root ─ mid ─ leaf plus another root, eight products over them and about fifty
// ratings at times spread over four days, some on the hour and some between. On Postgres the
// first users' ratings are folded into the rollups and counters and the others' stay deltas,
// so that readers must add both.
func seed(t *testing.T, st *store.Store) fixture {
	ctx := context.Background()
	c := st.Client
	root := c.Category.Create().SetName("Root").SetSlug("root").SaveX(ctx)
	mid := c.Category.Create().SetName("Mid").SetSlug("mid").SetParent(root).SaveX(ctx)
	leaf := c.Category.Create().SetName("Leaf").SetSlug("leaf").SetParent(mid).SaveX(ctx)
	other := c.Category.Create().SetName("Other").SetSlug("other").SaveX(ctx)
	f := fixture{root: root.ID, mid: mid.ID, leaf: leaf.ID, other: other.ID, productCat: map[int]int{},
		parent: map[int]int{mid.ID: root.ID, leaf.ID: mid.ID}}
	cats := []int{root.ID, mid.ID, leaf.ID, other.ID}
	for i := range 8 {
		p := c.Product.Create().SetSku(fmt.Sprint("S", i)).SetName("P").SetSlug(fmt.Sprint("p-", i)).
			SetPrice(1).SetCategoryID(cats[i%4]).SaveX(ctx)
		f.products = append(f.products, p.ID)
		f.productCat[p.ID] = cats[i%4]
	}
	rng := rand.New(rand.NewPCG(14, 6))
	for u := range 7 {
		if u == 4 && st.Dialect == dialect.Postgres {
			ok, err := analytics.FoldDeltas(ctx, st.DB)
			require.NoError(t, err)
			require.True(t, ok)
		}
		usr := c.User.Create().SetEmail(fmt.Sprintf("u%d@example.com", u)).SetDisplayName("U").SetPasswordHash("!").SaveX(ctx)
		for _, pid := range f.products {
			if rng.IntN(4) == 0 {
				continue
			}
			at := base.Add(time.Duration(rng.IntN(96)) * time.Hour)
			if rng.IntN(2) == 0 {
				at = at.Add(time.Duration(rng.IntN(3600)) * time.Second)
			}
			f.ratings = append(f.ratings, c.Rating.Create().SetProductID(pid).SetUserID(usr.ID).
				SetStars(1+rng.IntN(5)).SetCreatedAt(at).SetUpdatedAt(at).SaveX(ctx))
		}
	}
	return f
}

func (f fixture) under(cat, root int) bool {
	for c := cat; c != 0; c = f.parent[c] {
		if c == root {
			return true
		}
	}
	return false
}

// bruteStats is RatingStats computed in Go.
func (f fixture) bruteStats(flt analytics.Filter) (count, sum int, dist [5]int) {
	for _, r := range f.ratings {
		if flt.ProductID != nil && r.ProductID != *flt.ProductID ||
			flt.CategoryID != nil && !f.under(f.productCat[r.ProductID], *flt.CategoryID) ||
			flt.From != nil && r.UpdatedAt.Before(*flt.From) ||
			flt.To != nil && !r.UpdatedAt.Before(*flt.To) {
			continue
		}
		count++
		sum += r.Stars
		dist[r.Stars-1]++
	}
	return
}

func ptr[T any](v T) *T { return &v }

func TestRatingStatsMatchBruteForce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := seed(t, st)
		require.NotEmpty(t, f.ratings)
		a := analytics.New(st.Client, st.Dialect)
		ctx := context.Background()
		filters := map[string]analytics.Filter{
			"everything":                 {},
			"one product":                {ProductID: &f.products[1]},
			"a subtree":                  {CategoryID: &f.mid},
			"the root's whole tree":      {CategoryID: &f.root},
			"a product outside the tree": {ProductID: &f.products[3], CategoryID: &f.mid},
			"a product inside the tree":  {ProductID: &f.products[2], CategoryID: &f.mid},
			"from an hour boundary":      {From: ptr(base.Add(30 * time.Hour))},
			"between two minutes":        {From: ptr(base.Add(25*time.Hour + 17*time.Minute)), To: ptr(base.Add(70*time.Hour + 3*time.Minute))},
			"until, in another zone":     {To: ptr(base.Add(50 * time.Hour).In(time.FixedZone("UTC+5:30", 5*3600+1800)))},
			"a window in a subtree":      {CategoryID: &f.root, From: ptr(base.Add(10 * time.Hour)), To: ptr(base.Add(60 * time.Hour))},
			"a window before any rating": {From: ptr(base.Add(-48 * time.Hour)), To: ptr(base.Add(-24 * time.Hour))},
		}
		// Bounds that fall exactly on ratings prove From is inclusive and To exclusive, on an
		// hour boundary (whole rollup buckets) and between (raw rows).
		var onHour, between time.Time
		for _, r := range f.ratings {
			if r.UpdatedAt.Truncate(time.Hour).Equal(r.UpdatedAt) {
				onHour = r.UpdatedAt
			} else {
				between = r.UpdatedAt
			}
		}
		require.False(t, onHour.IsZero() || between.IsZero())
		filters["from a rating on the hour"] = analytics.Filter{From: &onHour}
		filters["to a rating on the hour"] = analytics.Filter{To: &onHour}
		filters["from a rating between hours"] = analytics.Filter{From: &between}
		filters["to a rating between hours"] = analytics.Filter{To: &between}
		filters["a subtree from a rating"] = analytics.Filter{CategoryID: &f.root, From: &between}
		for name, flt := range filters {
			t.Run(name, func(t *testing.T) {
				got, err := a.RatingStats(ctx, flt)
				require.NoError(t, err)
				count, sum, dist := f.bruteStats(flt)
				require.Equal(t, count, got.Count)
				require.Equal(t, sum, got.Sum)
				require.Equal(t, dist[:], got.Distribution())
				if count == 0 {
					require.Nil(t, got.Average())
				} else {
					require.InDelta(t, float64(sum)/float64(count), *got.Average(), 1e-9)
				}
			})
		}
	})
}

func TestProductRatingsMatchBruteForceForEveryID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := seed(t, st)
		a := analytics.New(st.Client, st.Dialect)
		ids := append([]int{f.products[0] + 1000}, f.products...)
		got, err := a.ProductRatings(context.Background(), ids)
		require.NoError(t, err)
		for _, id := range ids {
			count, sum, dist := f.bruteStats(analytics.Filter{ProductID: &id})
			require.Equal(t, count, got[id].Count, "product %d", id)
			require.Equal(t, sum, got[id].Sum, "product %d", id)
			require.Equal(t, dist[:], got[id].Distribution(), "product %d", id)
		}
	})
}

func TestAnEmptyOrBackwardWindowIsBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a := analytics.New(st.Client, st.Dialect)
		for name, flt := range map[string]analytics.Filter{
			"to equals from": {From: ptr(base), To: ptr(base)},
			"to before from": {From: ptr(base.Add(time.Hour)), To: ptr(base)},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := a.RatingStats(context.Background(), flt)
				e, ok := apperr.As(err)
				require.True(t, ok, "%v", err)
				require.Equal(t, apperr.BadInput, e.Code)
				require.Equal(t, "filter.to", e.Field)
			})
		}
	})
}
