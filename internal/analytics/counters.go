package analytics

import (
	"context"
	"database/sql"
	"fmt"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/product"
)

// The product_rating_stats counters (aggregates.go) hold, per rated product, the
// number of 1★ … 5★ ratings, kept exact by triggers. Aggregates without a time range read them
// instead of the ratings.

const countersColumns = "n1, n2, n3, n4, n5"

// productCountersNow is the per-product counters as a reader must see them on Postgres: the
// counter rows plus the deltas not yet folded into them (aggregates.go), one row per product.
// Postgres pushes a condition on product_id below the grouping into both branches, so a lookup
// of a page of products stays two index scans.
const productCountersNow = "(SELECT product_id, SUM(n1) AS n1, SUM(n2) AS n2, SUM(n3) AS n3, SUM(n4) AS n4, SUM(n5) AS n5 " +
	"FROM (SELECT product_id, n1, n2, n3, n4, n5 FROM product_rating_stats " +
	"UNION ALL SELECT product_id, n1, n2, n3, n4, n5 FROM product_rating_stat_deltas) u GROUP BY product_id)"

// productCountersTable is the per-product counters of the store: the embedded store has one writer
// at a time, so its triggers update the counter rows in place.
func (a *Analytics) productCountersTable() string {
	if a.dialect == dialect.Postgres {
		return productCountersNow + " c"
	}
	return "product_rating_stats"
}

// scanCounts reads n1..n5 into a Stats.
func scanCounts(rows *sql.Rows, s *Stats, extra ...any) error {
	var n [5]int64
	dest := append(extra, &n[0], &n[1], &n[2], &n[3], &n[4])
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	for i, c := range n {
		s.add(i+1, int(c))
	}
	return nil
}

// statsFromCounters sums the counters of the products in the filter's scope (all when nil).
// On Postgres the catalog's and every category's totals are a rollup's all-time row and the
// deltas not yet folded into it.
func (a *Analytics) statsFromCounters(ctx context.Context, f Filter) (Stats, error) {
	b := &entsql.Builder{}
	b.SetDialect(a.dialect)
	if a.useRollups(f) {
		scope := 0
		if f.CategoryID != nil {
			scope = *f.CategoryID
		}
		b.WriteString("SELECT " + sumsOf(countersColumns) + " FROM " + ratingRollupsNow + " u WHERE hour = '-infinity' AND scope_id = ").Arg(scope)
	} else {
		b.WriteString("SELECT " + sumsOf(countersColumns) + " FROM " + a.productCountersTable())
		if p := f.products(); p != nil {
			scope := entsql.Dialect(a.dialect).Select(product.FieldID).From(entsql.Table(product.Table))
			p(scope)
			b.WriteString(" WHERE product_id IN (").Join(scope).WriteString(")")
		}
	}
	query, args := b.Query()
	rows, err := a.client.For(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return Stats{}, fmt.Errorf("rating counters: %w", err)
	}
	defer rows.Close()
	var s Stats
	if rows.Next() {
		if err := scanCounts(rows, &s); err != nil {
			return Stats{}, err
		}
	}
	return s, rows.Err()
}

// productCounters returns the counters of each product, one primary-key lookup per product
// (and on Postgres one index lookup of its deltas, summed here: a page of products is on
// every product list's path, and grouping in the database doubled this statement's cost).
func (a *Analytics) productCounters(ctx context.Context, ids []int) (map[int]Stats, error) {
	out := make(map[int]Stats, len(ids))
	for _, id := range ids {
		out[id] = Stats{}
	}
	if len(ids) == 0 {
		return out, nil
	}
	b := &entsql.Builder{}
	b.SetDialect(a.dialect)
	if a.dialect == dialect.Postgres {
		// The IDs as one array parameter per branch: binding a page's IDs twice, one value
		// each, cost more than the deltas' lookup itself.
		arr := make(pq.Int64Array, len(ids))
		for i, id := range ids {
			arr[i] = int64(id)
		}
		b.WriteString("SELECT product_id, " + countersColumns + " FROM product_rating_stats WHERE product_id = ANY(").Arg(arr).
			WriteString(") UNION ALL SELECT product_id, " + countersColumns + " FROM product_rating_stat_deltas WHERE product_id = ANY(").Arg(arr).
			WriteString(")")
	} else {
		b.WriteString("SELECT product_id, " + countersColumns + " FROM product_rating_stats WHERE product_id IN (")
		b.Args(ent.Args(ids)...)
		b.WriteString(")")
	}
	query, args := b.Query()
	rows, err := a.client.For(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("product rating counters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int
		var s Stats
		if err := scanCounts(rows, &s, &id); err != nil {
			return nil, err
		}
		out[id] = out[id].plus(s)
	}
	return out, rows.Err()
}

// ReviewCounts returns each product's number of reviews from the review counters: a
// primary-key lookup per product instead of a count.
func (a *Analytics) ReviewCounts(ctx context.Context, ids []int) (map[int]int, error) {
	out := make(map[int]int, len(ids))
	for _, id := range ids {
		out[id] = 0
	}
	if len(ids) == 0 {
		return out, nil
	}
	q := entsql.Select("product_id", "n").From(entsql.Table("product_review_stats")).Where(entsql.In("product_id", ent.Args(ids)...))
	q.SetDialect(a.dialect)
	query, args := q.Query()
	rows, err := a.client.For(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
