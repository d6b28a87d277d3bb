package graph_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// analyticsData adds 20 users whose ratings and reviews spread over Feb–Apr 2026, across the
// US (Mar 8) and EU (Mar 29) daylight-saving changes, at random minutes so buckets edges matter.
func analyticsData(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	c := e.st.Client
	rng := rand.New(rand.NewPCG(7, 11))
	start := time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC)
	span := int64(60 * 24 * time.Hour)
	var ratings []*ent.RatingCreate
	var reviews []*ent.ReviewCreate
	for i := range 20 {
		u := c.User.Create().SetEmail(fmt.Sprintf("a%d@example.com", i)).SetDisplayName(fmt.Sprintf("A%d", i)).SetPasswordHash("!").SaveX(ctx)
		for _, p := range e.fx.products {
			at := start.Add(time.Duration(rng.Int64N(span))).Truncate(time.Second)
			if rng.IntN(10) < 6 {
				// J-shaped stars, product-dependent.
				stars := []int{1, 2, 3, 4, 5, 5, 5, 4}[(rng.IntN(8)+p.ID)%8]
				ratings = append(ratings, c.Rating.Create().SetProduct(p).SetUser(u).SetStars(stars).SetCreatedAt(at).SetUpdatedAt(at))
			}
			if rng.IntN(10) < 3 {
				reviews = append(reviews, c.Review.Create().SetProduct(p).SetAuthor(u).SetTitle("t").SetBody("b").SetCreatedAt(at))
			}
		}
	}
	c.Rating.CreateBulk(ratings...).ExecX(ctx)
	c.Review.CreateBulk(reviews...).ExecX(ctx)
}

type bruteStats struct {
	count, sum int
	dist       [5]int
}

func (b bruteStats) avg() *float64 {
	if b.count == 0 {
		return nil
	}
	v := float64(b.sum) / float64(b.count)
	return &v
}

// subtree returns the IDs of root and all its descendants.
func subtree(t *testing.T, c *ent.Client, root int) map[int]bool {
	t.Helper()
	in := map[int]bool{root: true}
	cats := c.Category.Query().AllX(context.Background())
	for grew := true; grew; {
		grew = false
		for _, cat := range cats {
			if cat.ParentID != nil && in[*cat.ParentID] && !in[cat.ID] {
				in[cat.ID], grew = true, true
			}
		}
	}
	return in
}

type apiStats struct {
	Count        int
	Average      *float64
	Distribution []int
}

func requireStats(t *testing.T, want bruteStats, got apiStats, msg string) {
	t.Helper()
	require.Equal(t, want.count, got.Count, msg)
	require.Equal(t, want.dist[:], got.Distribution, msg)
	if want.count == 0 {
		require.Nil(t, got.Average, msg)
	} else {
		require.InDelta(t, *want.avg(), *got.Average, 1e-9, msg)
	}
}

func TestAnalyticsMatchBruteForce(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		analyticsData(t, e)
		compareRatingStats(t, e)
		compareTrends(t, e)
		compareRankings(t, e)

		// Concurrent rating changes and deletions through the API; aggregates must follow.
		ctx := context.Background()
		users := e.st.Client.User.Query().Limit(12).AllX(ctx)
		var wg sync.WaitGroup
		for i, u := range users {
			client := e.asUser(t, u)
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				for k, p := range e.fx.products[:10] {
					vars := map[string]any{"p": relay.Encode(p.ID), "s": (i+k)%5 + 1}
					doc := `mutation($p: ID!, $s: Int!) { rateProduct(productID: $p, stars: $s) { stars } }`
					if (i+k)%3 == 0 {
						doc = `mutation($p: ID!) { deleteRating(productID: $p) }`
						delete(vars, "s")
					}
					if res := client.Do(t, doc, vars); len(res.Errors) > 0 {
						t.Errorf("concurrent change: %v", res.Errors[0].Message)
					}
				}
			}(i)
		}
		wg.Wait()
		compareRatingStats(t, e)
		compareRankings(t, e)
	})
}

// compareRatingStats checks ratingStats under several filters.
func compareRatingStats(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	all := e.st.Client.Rating.Query().WithProduct().AllX(ctx)
	outdoor := subtree(t, e.st.Client, e.fx.outdoor.ID)
	from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	oddFrom, oddTo := time.Date(2026, 3, 2, 10, 17, 33, 0, time.UTC), time.Date(2026, 3, 27, 14, 52, 5, 0, time.UTC)
	p := e.fx.products[4]
	cases := []struct {
		name   string
		filter map[string]any
		keep   func(r *ent.Rating) bool
	}{
		{"All", nil, func(*ent.Rating) bool { return true }},
		{"Product", map[string]any{"productID": relay.Encode(p.ID)}, func(r *ent.Rating) bool { return r.ProductID == p.ID }},
		{"CategorySubtree", map[string]any{"categoryID": relay.Encode(e.fx.outdoor.ID)}, func(r *ent.Rating) bool { return outdoor[r.Edges.Product.CategoryID] }},
		{"TimeRange", map[string]any{"from": from, "to": to}, func(r *ent.Rating) bool { return !r.UpdatedAt.Before(from) && r.UpdatedAt.Before(to) }},
		{"CategoryAndRange", map[string]any{"categoryID": relay.Encode(e.fx.outdoor.ID), "from": from, "to": to}, func(r *ent.Rating) bool {
			return outdoor[r.Edges.Product.CategoryID] && !r.UpdatedAt.Before(from) && r.UpdatedAt.Before(to)
		}},
		{"EmptyRange", map[string]any{"from": time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}, func(*ent.Rating) bool { return false }},
		// Bounds inside an hour: Postgres adds the partial hours, counted from the rows, to the
		// whole hours of the rollups.
		{"CategoryAndUnalignedRange", map[string]any{"categoryID": relay.Encode(e.fx.outdoor.ID), "from": oddFrom, "to": oddTo}, func(r *ent.Rating) bool {
			return outdoor[r.Edges.Product.CategoryID] && !r.UpdatedAt.Before(oddFrom) && r.UpdatedAt.Before(oddTo)
		}},
		{"OnlyFrom", map[string]any{"from": oddFrom}, func(r *ent.Rating) bool { return !r.UpdatedAt.Before(oddFrom) }},
		{"OnlyTo", map[string]any{"to": oddTo}, func(r *ent.Rating) bool { return r.UpdatedAt.Before(oddTo) }},
	}
	for _, tc := range cases {
		var want bruteStats
		for _, r := range all {
			if tc.keep(r) {
				want.count++
				want.sum += r.Stars
				want.dist[r.Stars-1]++
			}
		}
		var out struct{ RatingStats apiStats }
		e.gql.MustData(t, &out, `query($f: AnalyticsFilter) { ratingStats(filter: $f) { count average distribution } }`, map[string]any{"f": tc.filter})
		requireStats(t, want, out.RatingStats, tc.name)
		if tc.name != "EmptyRange" {
			require.Positive(t, want.count, "%s: the fixture should match something", tc.name)
		}
	}
}

// bucketOf returns the index of the local-calendar bucket containing at, or -1.
func bucketOf(at time.Time, starts []time.Time) int {
	for i := len(starts) - 1; i >= 0; i-- {
		if !at.Before(starts[i]) {
			return i
		}
	}
	return -1
}

type apiPoint struct {
	Start   time.Time
	Count   int
	Average *float64
}

func compareTrends(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	ratings := e.st.Client.Rating.Query().AllX(ctx)
	reviews := e.st.Client.Review.Query().AllX(ctx)
	outdoor := subtree(t, e.st.Client, e.fx.outdoor.ID)
	category := map[int]int{}
	for _, p := range e.st.Client.Product.Query().AllX(ctx) {
		category[p.ID] = p.CategoryID
	}
	cases := []struct {
		bucket, zone string
		from, to     time.Time
		starts       func(loc *time.Location) []time.Time
		inOutdoor    bool
	}{
		// US DST starts 2026-03-08: that local day has 23 hours.
		{"DAY", "America/New_York", time.Date(2026, 3, 1, 5, 0, 0, 0, time.UTC), time.Date(2026, 3, 15, 4, 0, 0, 0, time.UTC),
			func(loc *time.Location) []time.Time { return days(time.Date(2026, 3, 1, 0, 0, 0, 0, loc), 14) }, false},
		// EU DST 2026-03-29, Mondays; from mid-week so the first bucket is partial.
		{"WEEK", "Europe/Paris", time.Date(2026, 2, 18, 10, 0, 0, 0, time.UTC), time.Date(2026, 4, 14, 0, 0, 0, 0, time.UTC),
			func(loc *time.Location) []time.Time { return weeks(time.Date(2026, 2, 16, 0, 0, 0, 0, loc), 9) }, false},
		// A half-hour offset zone.
		{"MONTH", "Asia/Kolkata", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC),
			func(loc *time.Location) []time.Time { return months(time.Date(2026, 2, 1, 0, 0, 0, 0, loc), 4) }, false},
		{"DAY", "UTC", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 4, 0, 0, 0, 0, time.UTC),
			func(loc *time.Location) []time.Time { return days(time.Date(2030, 1, 1, 0, 0, 0, 0, loc), 3) }, false},
		// A quarter-hour offset zone, a category subtree, and bounds inside an hour.
		{"DAY", "Asia/Kathmandu", time.Date(2026, 3, 3, 7, 41, 9, 0, time.UTC), time.Date(2026, 3, 12, 3, 3, 3, 0, time.UTC),
			func(loc *time.Location) []time.Time { return days(time.Date(2026, 3, 3, 0, 0, 0, 0, loc), 10) }, true},
	}
	for _, tc := range cases {
		loc, err := time.LoadLocation(tc.zone)
		require.NoError(t, err)
		starts := tc.starts(loc)
		wantRatings := make([]bruteStats, len(starts))
		for _, r := range ratings {
			if r.UpdatedAt.Before(tc.from) || !r.UpdatedAt.Before(tc.to) || (tc.inOutdoor && !outdoor[category[r.ProductID]]) {
				continue
			}
			if i := bucketOf(r.UpdatedAt.In(loc), starts); i >= 0 {
				wantRatings[i].count++
				wantRatings[i].sum += r.Stars
			}
		}
		wantReviews := make([]int, len(starts))
		for _, r := range reviews {
			if r.CreatedAt.Before(tc.from) || !r.CreatedAt.Before(tc.to) || (tc.inOutdoor && !outdoor[category[r.ProductID]]) {
				continue
			}
			if i := bucketOf(r.CreatedAt.In(loc), starts); i >= 0 {
				wantReviews[i]++
			}
		}
		filter := map[string]any{"from": tc.from, "to": tc.to}
		if tc.inOutdoor {
			filter["categoryID"] = relay.Encode(e.fx.outdoor.ID)
		}
		var out struct{ RatingTrend, ReviewTrend []apiPoint }
		e.gql.MustData(t, &out, `query($b: TrendBucket!, $f: AnalyticsFilter!, $z: String) {
			ratingTrend(bucket: $b, filter: $f, timeZone: $z) { start count average }
			reviewTrend(bucket: $b, filter: $f, timeZone: $z) { start count average } }`,
			map[string]any{"b": tc.bucket, "z": tc.zone, "f": filter})
		name := tc.bucket + " " + tc.zone
		require.Len(t, out.RatingTrend, len(starts), name)
		require.Len(t, out.ReviewTrend, len(starts), name)
		for i, start := range starts {
			require.True(t, start.Equal(out.RatingTrend[i].Start), "%s bucket %d starts %v, want %v", name, i, out.RatingTrend[i].Start, start)
			require.Equal(t, wantRatings[i].count, out.RatingTrend[i].Count, "%s bucket %d", name, i)
			require.Equal(t, wantReviews[i], out.ReviewTrend[i].Count, "%s bucket %d", name, i)
			require.Nil(t, out.ReviewTrend[i].Average)
			if wantRatings[i].count > 0 {
				require.InDelta(t, *wantRatings[i].avg(), *out.RatingTrend[i].Average, 1e-9)
			} else {
				require.Nil(t, out.RatingTrend[i].Average)
			}
		}
	}
	// DST day in New York is 23 hours long.
	ny, _ := time.LoadLocation("America/New_York")
	d := days(time.Date(2026, 3, 8, 0, 0, 0, 0, ny), 1)
	require.Equal(t, 23*time.Hour, d[0].AddDate(0, 0, 1).Sub(d[0]))

	for _, bad := range []struct{ vars map[string]any }{
		{map[string]any{"b": "DAY", "z": "UTC", "f": map[string]any{"from": time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), "to": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}},
		{map[string]any{"b": "DAY", "z": "UTC", "f": map[string]any{"from": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}},
		{map[string]any{"b": "DAY", "z": "Mars/Olympus", "f": map[string]any{"from": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "to": time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}}},
		{map[string]any{"b": "DAY", "z": "UTC", "f": map[string]any{"from": time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), "to": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}},
	} {
		e.gql.MustError(t, "BAD_USER_INPUT", `query($b: TrendBucket!, $f: AnalyticsFilter!, $z: String) { ratingTrend(bucket: $b, filter: $f, timeZone: $z) { count } }`, bad.vars)
	}
}

func days(start time.Time, n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = start.AddDate(0, 0, i)
	}
	return out
}

func weeks(start time.Time, n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = start.AddDate(0, 0, 7*i)
	}
	return out
}

func months(start time.Time, n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = start.AddDate(0, i, 0)
	}
	return out
}

// compareRankings checks topRatedProducts, categoryStats and Category.ratingStats.
func compareRankings(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	c := e.st.Client
	ratings := c.Rating.Query().WithProduct().AllX(ctx)
	reviews := c.Review.Query().WithProduct().AllX(ctx)
	products := c.Product.Query().AllX(ctx)
	for _, scope := range []*ent.Category{nil, e.fx.outdoor} {
		in := func(catID int) bool { return scope == nil || subtree(t, c, scope.ID)[catID] }
		per := map[int]*bruteStats{}
		var all bruteStats
		for _, r := range ratings {
			if !in(r.Edges.Product.CategoryID) {
				continue
			}
			all.count++
			all.sum += r.Stars
			if per[r.ProductID] == nil {
				per[r.ProductID] = &bruteStats{}
			}
			per[r.ProductID].count++
			per[r.ProductID].sum += r.Stars
		}
		mean := float64(all.sum) / float64(all.count)
		type scored struct {
			id, n int
			score float64
		}
		var want []scored
		for id, s := range per {
			if s.count >= 5 {
				want = append(want, scored{id, s.count, (10*mean + float64(s.sum)) / (10 + float64(s.count))})
			}
		}
		sort.Slice(want, func(i, j int) bool {
			if want[i].score != want[j].score {
				return want[i].score > want[j].score
			}
			if want[i].n != want[j].n {
				return want[i].n > want[j].n
			}
			return want[i].id < want[j].id
		})
		want = want[:min(len(want), 7)]
		var cat any
		if scope != nil {
			cat = relay.Encode(scope.ID)
		}
		var out struct {
			TopRatedProducts []struct {
				Product        struct{ ID string }
				Count          int
				Score, Average float64
			}
		}
		e.gql.MustData(t, &out, `query($c: ID) { topRatedProducts(first: 7, minRatings: 5, categoryID: $c) { product { id } count score average } }`, map[string]any{"c": cat})
		require.Len(t, out.TopRatedProducts, len(want))
		for i, w := range want {
			got := out.TopRatedProducts[i]
			require.Equal(t, relay.Encode(w.id), got.Product.ID, "rank %d", i)
			require.Equal(t, w.n, got.Count)
			require.InDelta(t, w.score, got.Score, 1e-9)
		}
	}

	// Subtree totals for the top-level categories, and Category.ratingStats for each.
	var out struct {
		CategoryStats []struct {
			Category struct {
				ID          string
				RatingStats apiStats
			}
			ProductCount, RatingCount, ReviewCount int
			AverageRating                          *float64
		}
	}
	e.gql.MustData(t, &out, `{ categoryStats { category { id ratingStats { count average distribution } } productCount ratingCount averageRating reviewCount } }`, nil)
	roots := c.Category.Query().AllX(ctx)
	var top int
	for _, r := range roots {
		if r.ParentID == nil {
			top++
		}
	}
	require.Len(t, out.CategoryStats, top)
	for _, got := range out.CategoryStats {
		id, err := relay.Decode(got.Category.ID)
		require.NoError(t, err)
		tree := subtree(t, c, id)
		var want bruteStats
		var nProducts, nReviews int
		for _, p := range products {
			if tree[p.CategoryID] {
				nProducts++
			}
		}
		for _, r := range reviews {
			if tree[r.Edges.Product.CategoryID] {
				nReviews++
			}
		}
		for _, r := range ratings {
			if tree[r.Edges.Product.CategoryID] {
				want.count++
				want.sum += r.Stars
				want.dist[r.Stars-1]++
			}
		}
		require.Equal(t, nProducts, got.ProductCount)
		require.Equal(t, nReviews, got.ReviewCount)
		require.Equal(t, want.count, got.RatingCount)
		requireStats(t, want, got.Category.RatingStats, "Category.ratingStats")
	}
}

// With the cache on, a dashboard's repeated question is answered from memory until this
// process writes; writes elsewhere (another replica) show within the TTL.
func TestAnalyticsCache(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		cache := analytics.NewCache(time.Hour)
		e.resolver.Analytics.WithCache(cache)
		ctx := context.Background()
		const q = `{ ratingStats { count } }`
		count := func() int {
			var out struct{ RatingStats struct{ Count int } }
			e.gql.MustData(t, &out, q, nil)
			return out.RatingStats.Count
		}
		before := count()
		// A write that bypasses this process stays invisible while cached…
		st.Client.Rating.Create().SetProduct(e.fx.products[5]).SetUser(e.fx.users[0]).SetStars(2).ExecX(ctx)
		require.Equal(t, before, count())
		// …and a mutation through this process invalidates at once.
		e.asUser(t, e.fx.users[1]).MustData(t, &struct{}{}, `mutation($p: ID!) { rateProduct(productID: $p, stars: 4) { stars } }`,
			map[string]any{"p": relay.Encode(e.fx.products[6].ID)})
		require.Equal(t, before+2, count())
	})
}
