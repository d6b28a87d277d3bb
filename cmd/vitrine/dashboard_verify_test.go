package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/relay"
)

func readCards(t *testing.T, p *page) map[string]card {
	t.Helper()
	return eval[map[string]card](t, p, readCardsJS)
}

// verifyView checks every card against the view the test expects, the API and the raw rows.
func verifyView(t *testing.T, p *page, gql *gqltest.Client, queries map[string]string, tr *truth, v view) {
	t.Helper()
	cards := readCards(t, p)
	from, to, loc := v.bounds(t)
	category, product := v.scopeID()

	// The charts over the range ran with the range, bucket, zone and scope of the view.
	for _, name := range []string{"distribution", "rating-trend", "review-trend"} {
		c := cards[name]
		require.Equal(t, "ready", c.State, name)
		f, _ := c.Variables["filter"].(map[string]any)
		require.Equal(t, from.UTC(), mustTime(t, f["from"]).UTC(), "%s: from", name)
		require.Equal(t, to.UTC(), mustTime(t, f["to"]).UTC(), "%s: to", name)
		require.Equal(t, category, str(f["categoryID"]), name)
		require.Equal(t, product, str(f["productID"]), name)
		if name != "distribution" {
			require.Equal(t, v.bucket, c.Variables["bucket"], name)
			require.Equal(t, v.tz, c.Variables["timeZone"], name)
		}
	}

	// Rating distribution.
	var stats struct{ RatingStats struct{ Distribution []int } }
	c := cards["distribution"]
	gql.MustData(t, &stats, queries["rating-stats.graphql"], c.Variables)
	brute := tr.distribution(v.scope, from, to)
	require.Len(t, c.Rows, 5)
	for i, r := range c.Rows {
		require.Equal(t, strconv.Itoa(i+1), r["stars"])
		require.Equal(t, stats.RatingStats.Distribution[i], atoi(t, r["count"]), "%d★ drawn vs API", i+1)
		require.Equal(t, brute[i], atoi(t, r["count"]), "%d★ drawn vs SQL", i+1)
	}

	// Trends.
	for _, tc := range []struct {
		card, query, field string
		rows               []timedRow
	}{
		{"rating-trend", "rating-trend.graphql", "ratingTrend", tr.ratings},
		{"review-trend", "review-trend.graphql", "reviewTrend", tr.reviews},
	} {
		c := cards[tc.card]
		var api map[string][]struct {
			Start   string
			Count   int
			Average *float64
		}
		gql.MustData(t, &api, queries[tc.query], c.Variables)
		points := api[tc.field]
		want := tr.trend(tc.rows, v.scope, v.bucket, from, to, loc)
		require.Len(t, c.Rows, len(points), tc.card)
		require.Len(t, c.Rows, len(want), tc.card)
		for i, r := range c.Rows {
			require.Equal(t, points[i].Start, r["start"], tc.card)
			require.True(t, want[i].start.Equal(mustTime(t, r["start"])), "%s bucket %d starts %s, want %s", tc.card, i, r["start"], want[i].start)
			require.Equal(t, points[i].Count, atoi(t, r["count"]), "%s %s drawn vs API", tc.card, r["start"])
			require.Equal(t, want[i].count, atoi(t, r["count"]), "%s %s drawn vs SQL", tc.card, r["start"])
			if tc.card == "rating-trend" {
				if want[i].count == 0 {
					require.Empty(t, r["average"])
					require.Nil(t, points[i].Average)
				} else {
					require.Equal(t, *points[i].Average, atof(t, r["average"]))
					require.True(t, near(float64(want[i].sum)/float64(want[i].count), atof(t, r["average"])))
				}
			}
		}
	}

	// All-time charts: none for a single product.
	if v.scope.product != 0 {
		require.Equal(t, "na", cards["top-rated"].State)
		require.Equal(t, "na", cards["categories"].State)
		return
	}
	verifyTopRated(t, gql, queries, tr, v, cards["top-rated"])
	verifyCategories(t, gql, queries, tr, v, cards["categories"])
}

func verifyTopRated(t *testing.T, gql *gqltest.Client, queries map[string]string, tr *truth, v view, c card) {
	t.Helper()
	require.Equal(t, "ready", c.State)
	category, _ := v.scopeID()
	require.Equal(t, category, str(c.Variables["categoryID"]))
	var api struct {
		TopRatedProducts []struct {
			Product        struct{ ID string }
			Average, Score float64
			Count          int
		}
	}
	gql.MustData(t, &api, queries["top-rated.graphql"], c.Variables)
	want := tr.topRated(v.scope, 5, 1<<30)
	byProduct := map[int]productScore{}
	for _, s := range want {
		byProduct[s.product] = s
	}
	require.Len(t, c.Rows, len(api.TopRatedProducts))
	require.Len(t, c.Rows, min(10, len(want)))
	for i, r := range c.Rows {
		a := api.TopRatedProducts[i]
		require.Equal(t, a.Product.ID, r["id"])
		require.Equal(t, a.Score, atof(t, r["score"]))
		require.Equal(t, a.Average, atof(t, r["average"]))
		require.Equal(t, a.Count, atoi(t, r["count"]))
		id, err := relay.Decode(r["id"])
		require.NoError(t, err)
		s, ok := byProduct[id]
		require.True(t, ok, "product %d is not eligible by SQL", id)
		require.Equal(t, s.count, atoi(t, r["count"]))
		require.True(t, near(s.score, atof(t, r["score"])), "product %d score %s, SQL %v", id, r["score"], s.score)
		require.True(t, near(want[i].score, atof(t, r["score"])), "rank %d", i+1)
	}
}

func verifyCategories(t *testing.T, gql *gqltest.Client, queries map[string]string, tr *truth, v view, c card) {
	t.Helper()
	require.Equal(t, "ready", c.State)
	var api struct {
		CategoryStats []struct {
			Category                               struct{ ID string }
			ProductCount, RatingCount, ReviewCount int
			AverageRating                          *float64
		}
	}
	gql.MustData(t, &api, queries["category-stats.graphql"], c.Variables)
	want := tr.categoryStats(v.scope.category)
	require.Len(t, c.Rows, len(api.CategoryStats))
	require.Len(t, c.Rows, len(want))
	byID := map[string]int{}
	for i, a := range api.CategoryStats {
		byID[a.Category.ID] = i
	}
	for _, r := range c.Rows {
		i, ok := byID[r["id"]]
		require.True(t, ok, "category %s drawn but not answered", r["id"])
		a := api.CategoryStats[i]
		require.Equal(t, a.ProductCount, atoi(t, r["productCount"]))
		require.Equal(t, a.RatingCount, atoi(t, r["ratingCount"]))
		require.Equal(t, a.ReviewCount, atoi(t, r["reviewCount"]))
		id, err := relay.Decode(r["id"])
		require.NoError(t, err)
		w, ok := want[id]
		require.True(t, ok, "category %d is not a child by SQL", id)
		require.Equal(t, w.products, atoi(t, r["productCount"]), tr.names[id])
		require.Equal(t, w.ratings, atoi(t, r["ratingCount"]), tr.names[id])
		require.Equal(t, w.reviews, atoi(t, r["reviewCount"]), tr.names[id])
		if w.ratings > 0 {
			require.Equal(t, *a.AverageRating, atof(t, r["averageRating"]))
			require.True(t, near(float64(w.stars)/float64(w.ratings), atof(t, r["averageRating"])))
		}
	}
}

// middleCategory is a category with both a parent and children, the one with most ratings.
func middleCategory(t *testing.T, tr *truth) int {
	t.Helper()
	hasChildren := map[int]bool{}
	for _, p := range tr.parent {
		hasChildren[p] = true
	}
	best, most := 0, -1
	for c, p := range tr.parent {
		if p == 0 || !hasChildren[c] {
			continue
		}
		if n := tr.categoryStats(p)[c].ratings; n > most {
			best, most = c, n
		}
	}
	require.NotZero(t, best, "the demo catalog has a three-level tree")
	return best
}

// busiestProduct is the product with the most ratings.
func busiestProduct(tr *truth) int {
	n := map[int]int{}
	best := 0
	for _, r := range tr.ratings {
		n[r.product]++
		if n[r.product] > n[best] || (n[r.product] == n[best] && r.product < best) {
			best = r.product
		}
	}
	return best
}

func productName(t *testing.T, gql *gqltest.Client, id string) string {
	t.Helper()
	var out struct{ Product struct{ Name string } }
	gql.MustData(t, &out, `query($id: ID!) { product(id: $id) { name } }`, map[string]any{"id": id})
	return out.Product.Name
}

func columnInts(t *testing.T, rows []map[string]string, key string) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = atoi(t, r[key])
	}
	return out
}

func mustTime(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	tm, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err, "a time: %v", v)
	return tm
}

func str(v any) string { s, _ := v.(string); return s }

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err)
	return f
}

func itoa(n int) string { return strconv.Itoa(n) }
