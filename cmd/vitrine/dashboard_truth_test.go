package main

import (
	"database/sql"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// truth is the raw rows of a store, read with plain SQL, from which the dashboard tests count
// by brute force what the analytics API answers from its aggregates and rollups.
type truth struct {
	parent    map[int]int // category → parent (0 for top level)
	names     map[int]string
	productOf map[int]int // product → category
	ratings   []timedRow
	reviews   []timedRow
}

type timedRow struct {
	product int
	stars   int
	at      time.Time
}

func loadTruth(t *testing.T, db *sql.DB) *truth {
	t.Helper()
	tr := &truth{parent: map[int]int{}, names: map[int]string{}, productOf: map[int]int{}}
	rows, err := db.Query(`SELECT id, parent_id, name FROM categories`)
	require.NoError(t, err)
	for rows.Next() {
		var id int
		var parent sql.NullInt64
		var name string
		require.NoError(t, rows.Scan(&id, &parent, &name))
		tr.parent[id], tr.names[id] = int(parent.Int64), name
	}
	require.NoError(t, rows.Err())
	rows, err = db.Query(`SELECT id, category_id FROM products`)
	require.NoError(t, err)
	for rows.Next() {
		var id, cat int
		require.NoError(t, rows.Scan(&id, &cat))
		tr.productOf[id] = cat
	}
	require.NoError(t, rows.Err())
	tr.ratings = timedRows(t, db, `SELECT product_id, stars, updated_at FROM ratings`)
	tr.reviews = timedRows(t, db, `SELECT product_id, 0, created_at FROM reviews`)
	require.NotEmpty(t, tr.ratings, "the store must hold ratings")
	return tr
}

func timedRows(t *testing.T, db *sql.DB, query string) []timedRow {
	t.Helper()
	rows, err := db.Query(query)
	require.NoError(t, err)
	defer rows.Close()
	var out []timedRow
	for rows.Next() {
		var r timedRow
		require.NoError(t, rows.Scan(&r.product, &r.stars, &r.at))
		out = append(out, r)
	}
	require.NoError(t, rows.Err())
	return out
}

// scope is what the dashboard shows: the whole catalog (both zero), a category subtree or a product.
type scope struct{ category, product int }

func (tr *truth) within(category, ancestor int) bool {
	for c := category; c != 0; c = tr.parent[c] {
		if c == ancestor {
			return true
		}
	}
	return false
}

func (tr *truth) in(s scope, product int) bool {
	switch {
	case s.product != 0:
		return product == s.product
	case s.category != 0:
		return tr.within(tr.productOf[product], s.category)
	}
	return true
}

// distribution counts the scope's ratings per star in [from, to).
func (tr *truth) distribution(s scope, from, to time.Time) (dist [5]int) {
	for _, r := range tr.ratings {
		if tr.in(s, r.product) && !r.at.Before(from) && r.at.Before(to) {
			dist[r.stars-1]++
		}
	}
	return dist
}

type bucketCount struct {
	start time.Time
	count int
	sum   int
}

// trend counts rows of the scope per calendar bucket of loc: buckets start at local midnight
// (Mondays for weeks, the 1st for months), the first one at or before from.
func (tr *truth) trend(rows []timedRow, s scope, bucket string, from, to time.Time, loc *time.Location) []bucketCount {
	f := from.In(loc)
	start := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
	step := func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	switch bucket {
	case "WEEK":
		for start.Weekday() != time.Monday {
			start = start.AddDate(0, 0, -1)
		}
		step = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	case "MONTH":
		start = time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, loc)
		step = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	}
	var out []bucketCount
	for b := start; b.Before(to); b = step(b) {
		lo, hi := b, step(b)
		if lo.Before(from) {
			lo = from
		}
		if hi.After(to) {
			hi = to
		}
		bc := bucketCount{start: b}
		for _, r := range rows {
			if tr.in(s, r.product) && !r.at.Before(lo) && r.at.Before(hi) {
				bc.count++
				bc.sum += r.stars
			}
		}
		out = append(out, bc)
	}
	return out
}

type subtreeTotals struct {
	products, ratings, reviews, stars int
}

// categoryStats totals each child of parent (top-level categories when 0) with its subtree, all time.
func (tr *truth) categoryStats(parent int) map[int]subtreeTotals {
	out := map[int]subtreeTotals{}
	for c, p := range tr.parent {
		if p == parent {
			out[c] = subtreeTotals{}
		}
	}
	for c := range out {
		var st subtreeTotals
		for _, cat := range tr.productOf {
			if tr.within(cat, c) {
				st.products++
			}
		}
		for _, r := range tr.ratings {
			if tr.within(tr.productOf[r.product], c) {
				st.ratings++
				st.stars += r.stars
			}
		}
		for _, r := range tr.reviews {
			if tr.within(tr.productOf[r.product], c) {
				st.reviews++
			}
		}
		out[c] = st
	}
	return out
}

type productScore struct {
	product, count int
	average, score float64
}

// topRated ranks the scope's products with at least minRatings ratings by the damped average
// (10·m + Σ★) / (10 + n), m the scope's mean rating, all time.
func (tr *truth) topRated(s scope, minRatings, first int) []productScore {
	sum, count := map[int]int{}, map[int]int{}
	total, n := 0, 0
	for _, r := range tr.ratings {
		if tr.in(s, r.product) {
			sum[r.product] += r.stars
			count[r.product]++
			total += r.stars
			n++
		}
	}
	m := float64(total) / float64(n)
	var out []productScore
	for p, c := range count {
		if c >= minRatings {
			out = append(out, productScore{product: p, count: c, average: float64(sum[p]) / float64(c), score: (10*m + float64(sum[p])) / float64(10+c)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].score > out[j].score })
	if len(out) > first {
		out = out[:first]
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
