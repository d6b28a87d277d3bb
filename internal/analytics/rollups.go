package analytics

import (
	"context"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/vitrinehq/vitrine/ent/product"
)

// On Postgres, time-ranged aggregates of the catalog or of a category subtree read the hourly
// rollups (aggregates.go): each range is split into the whole UTC hours it covers,
// summed from the rollups, and the partial hours at its ends, counted from the rows. The split
// makes the answer exact for any bounds and any time zone; a range aligned to whole hours (every
// bucket of a UTC, Paris or New York trend, for instance) reads no rows at all.

// span is the part [lo, hi) of bucket idx.
type span struct {
	idx    int
	lo, hi time.Time
}

// Open bounds of a ratingStats filter; both are whole hours, so they read only rollups.
var (
	beginningOfTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	endOfTime       = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
)

// splitHours splits [lo, hi) into the whole UTC hours inside it and the partial hours around
// them. time.Truncate counts from the zero time, a UTC midnight, so it aligns to UTC hours.
func splitHours(s span) (whole, parts []span) {
	a := s.lo.Truncate(time.Hour)
	if a.Before(s.lo) {
		a = a.Add(time.Hour)
	}
	b := s.hi.Truncate(time.Hour)
	if !a.Before(b) {
		return nil, []span{s}
	}
	if s.lo.Before(a) {
		parts = append(parts, span{s.idx, s.lo, a})
	}
	if b.Before(s.hi) {
		parts = append(parts, span{s.idx, b, s.hi})
	}
	return []span{{s.idx, a, b}}, parts
}

// The rollups as a reader must see them: the rollup rows and the deltas not yet folded into
// them (aggregates.go), several rows per (scope, hour) to be summed. Postgres pushes a reader's
// conditions into both branches, so each is an index range scan.
const (
	ratingRollupsNow = "(SELECT scope_id, hour, n1, n2, n3, n4, n5 FROM rating_rollups " +
		"UNION ALL SELECT scope_id, hour, n1, n2, n3, n4, n5 FROM rating_rollup_deltas)"
	reviewRollupsNow = "(SELECT scope_id, hour, n FROM review_rollups UNION ALL SELECT scope_id, hour, n FROM review_rollup_deltas)"
)

// rollupKind describes one rollup and the rows it counts. Both return five counts per span:
// the 1★ … 5★ ratings, or the number of reviews in the first.
type rollupKind struct {
	rollup, rollupCounts string
	table, timeColumn    string
	rowCounts            string
}

var (
	ratingRollups = rollupKind{
		rollup:       ratingRollupsNow,
		rollupCounts: "u.n1, u.n2, u.n3, u.n4, u.n5",
		table:        "ratings",
		timeColumn:   "updated_at",
		rowCounts:    "(t.stars = 1)::int, (t.stars = 2)::int, (t.stars = 3)::int, (t.stars = 4)::int, (t.stars = 5)::int",
	}
	reviewRollups = rollupKind{
		rollup:       reviewRollupsNow,
		rollupCounts: "u.n, 0, 0, 0, 0",
		table:        "reviews",
		timeColumn:   "created_at",
		rowCounts:    "1, 0, 0, 0, 0",
	}
)

// useRollups tells whether f can be answered from the rollups: on Postgres, for the catalog or
// a category. A single product's rows are few and indexed by product; they are counted.
func (a *Analytics) useRollups(f Filter) bool {
	return a.dialect == dialect.Postgres && f.ProductID == nil
}

// rolledUp returns the counts of each span's bucket by span index, in one statement.
func (a *Analytics) rolledUp(ctx context.Context, k rollupKind, categoryID *int, spans []span) (map[int]Stats, error) {
	var whole, parts []span
	for _, s := range spans {
		w, p := splitHours(s)
		whole, parts = append(whole, w...), append(parts, p...)
	}
	scope := 0
	if categoryID != nil {
		scope = *categoryID
	}
	b := &sql.Builder{}
	b.SetDialect(a.dialect)
	b.WriteString("WITH ")
	valuesCTE(b, "w", whole, len(parts) > 0)
	valuesCTE(b, "p", parts, false)
	// LATERAL subqueries make the plan one index range scan per span; a plain join of the spans
	// with the table was planned as a scan of the whole scope filtered against every span.
	b.WriteString(" SELECT idx, SUM(c1), SUM(c2), SUM(c3), SUM(c4), SUM(c5) FROM (")
	if len(whole) > 0 {
		b.WriteString("SELECT w.idx, c.* FROM w CROSS JOIN LATERAL (SELECT " + sumsOf(k.rollupCounts) + " FROM " + k.rollup +
			" u WHERE u.scope_id = ").Arg(scope).WriteString(" AND u.hour >= w.lo AND u.hour < w.hi) c")
	}
	if len(parts) > 0 {
		if len(whole) > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString("SELECT p.idx, c.* FROM p CROSS JOIN LATERAL (SELECT " + sumsOf(k.rowCounts) + " FROM " + k.table +
			" t WHERE t." + k.timeColumn + " >= p.lo AND t." + k.timeColumn + " < p.hi")
		if categoryID != nil {
			scope := sql.Dialect(a.dialect).Select(product.FieldID).From(sql.Table(product.Table))
			Filter{CategoryID: categoryID}.products()(scope)
			b.WriteString(" AND t.product_id IN (").Join(scope).WriteString(")")
		}
		b.WriteString(") c")
	}
	b.WriteString(") AS x(idx, c1, c2, c3, c4, c5) GROUP BY idx")
	query, args := b.Query()
	rows, err := a.client.For(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("rollups: %w", err)
	}
	defer rows.Close()
	out := make(map[int]Stats)
	for rows.Next() {
		var idx int
		var st Stats
		if err := scanCounts(rows, &st, &idx); err != nil {
			return nil, fmt.Errorf("rollups: %w", err)
		}
		out[idx] = st
	}
	return out, rows.Err()
}

// sumsOf turns "e1, e2, …" into "COALESCE(SUM(e1), 0), …": a LATERAL aggregate over no rows
// still returns its one row.
func sumsOf(exprs string) string {
	parts := strings.Split(exprs, ", ")
	for i, e := range parts {
		parts[i] = "COALESCE(SUM(" + e + "), 0)"
	}
	return strings.Join(parts, ", ")
}

// valuesCTE writes "name(idx, lo, hi) AS (VALUES …)" for non-empty spans; Postgres must be
// told the type of a parameter inside VALUES.
func valuesCTE(b *sql.Builder, name string, spans []span, comma bool) {
	if len(spans) == 0 {
		return
	}
	b.WriteString(name + "(idx, lo, hi) AS (VALUES ")
	for i, s := range spans {
		if i > 0 {
			b.Comma()
		}
		b.WriteString("(CAST(").Arg(s.idx).WriteString(" AS INTEGER), CAST(").Arg(s.lo.UTC()).
			WriteString(" AS TIMESTAMPTZ), CAST(").Arg(s.hi.UTC()).WriteString(" AS TIMESTAMPTZ))")
	}
	b.WriteString(")")
	if comma {
		b.WriteString(", ")
	}
}

// statsFromRollups answers a time-ranged ratingStats.
func (a *Analytics) statsFromRollups(ctx context.Context, f Filter) (Stats, error) {
	s := span{lo: beginningOfTime, hi: endOfTime}
	if f.From != nil {
		s.lo = *f.From
	}
	if f.To != nil {
		s.hi = *f.To
	}
	counts, err := a.rolledUp(ctx, ratingRollups, f.CategoryID, []span{s})
	if err != nil {
		return Stats{}, err
	}
	return counts[0], nil
}

// trendFromRollups counts each bucket of edges from the rollups.
func (a *Analytics) trendFromRollups(ctx context.Context, k rollupKind, f Filter, edges []time.Time, from, to time.Time, stars bool) ([]*Point, error) {
	spans := make([]span, 0, len(edges)-1)
	for i := 0; i+1 < len(edges); i++ {
		spans = append(spans, span{i, maxTime(edges[i], from), minTime(edges[i+1], to)})
	}
	counts, err := a.rolledUp(ctx, k, f.CategoryID, spans)
	if err != nil {
		return nil, err
	}
	points := make([]*Point, len(spans))
	for i := range points {
		s := counts[i]
		points[i] = &Point{Start: edges[i], Count: s.Count, stars: stars}
		if stars {
			points[i].Sum = s.Sum
		}
	}
	return points, nil
}
