package analytics

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/category"
	"github.com/vitrinehq/vitrine/ent/predicate"
	"github.com/vitrinehq/vitrine/ent/product"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/catalog"
)

// PriorWeight is C in the damped average: how many "average" ratings every product is assumed
// to have before its own.
const PriorWeight = 10

// Score is a product's place in a top-rated list.
type Score struct {
	Product *ent.Product
	Count   int
	Sum     int
	Score   float64
}

// Average is the product's plain mean stars.
func (s Score) Average() float64 { return float64(s.Sum) / float64(s.Count) }

// TopRated ranks the products of a scope (all, or a category subtree) with at least minRatings
// ratings by (C·m + Σstars) / (C + n), m being the scope's mean rating. Ties go to the product
// with more ratings, then the lower ID.
func (a *Analytics) TopRated(ctx context.Context, first, minRatings int, categoryID *int) ([]*Score, error) {
	if first < 1 || first > 100 {
		return nil, apperr.InvalidField("first", "first must be between 1 and 100")
	}
	if minRatings < 0 {
		return nil, apperr.InvalidField("minRatings", "minRatings must not be negative")
	}
	key := fmt.Sprintf("top|%d|%d|%s", first, minRatings, Filter{CategoryID: categoryID}.key())
	return cached(ctx, a, key, func() ([]*Score, error) { return a.topRated(ctx, first, minRatings, categoryID) })
}

func (a *Analytics) topRated(ctx context.Context, first, minRatings int, categoryID *int) ([]*Score, error) {
	scope := Filter{CategoryID: categoryID}
	all, err := a.RatingStats(ctx, scope)
	if err != nil || all.Count == 0 {
		return nil, err
	}
	mean := float64(all.Sum) / float64(all.Count)
	rows, err := a.rankFromCounters(ctx, scope, first, max(minRatings, 1), mean)
	if err != nil {
		return nil, fmt.Errorf("top rated: %w", err)
	}
	ids := make([]int, len(rows))
	for i, r := range rows {
		ids[i] = r.ProductID
	}
	byID, err := catalog.ProductsByID(ctx, a.client.For(ctx), ids)
	if err != nil {
		return nil, fmt.Errorf("top rated: %w", err)
	}
	out := make([]*Score, 0, len(rows))
	for _, r := range rows {
		if p := byID[r.ProductID]; p != nil {
			out = append(out, &Score{Product: p, Count: r.N, Sum: r.S,
				Score: (PriorWeight*mean + float64(r.S)) / (PriorWeight + float64(r.N))})
		}
	}
	return out, nil
}

// CategoryTotals are a category subtree's totals.
type CategoryTotals struct {
	Category     *ent.Category
	ProductCount int
	ReviewCount  int
	Ratings      Stats
}

// RatingCount is the number of ratings in the subtree.
func (t CategoryTotals) RatingCount() int { return t.Ratings.Count }

// AverageRating is the subtree's mean stars, or nil without ratings.
func (t CategoryTotals) AverageRating() *float64 { return t.Ratings.Average() }

// CategoryStats returns subtree totals for each child of parentID (top-level categories when
// nil), ordered by name.
func (a *Analytics) CategoryStats(ctx context.Context, parentID *int) ([]*CategoryTotals, error) {
	return cached(ctx, a, "cats|"+Filter{CategoryID: parentID}.key(), func() ([]*CategoryTotals, error) {
		return a.categoryStats(ctx, parentID)
	})
}

func (a *Analytics) categoryStats(ctx context.Context, parentID *int) ([]*CategoryTotals, error) {
	var where predicate.Category = category.ParentIDIsNil()
	if parentID != nil {
		where = category.ParentID(*parentID)
	}
	cats, err := a.client.For(ctx).Category.Query().Where(where).Order(ent.Asc(category.FieldName), ent.Asc(category.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("category stats: %w", err)
	}
	ids := make([]int, len(cats))
	for i, c := range cats {
		ids[i] = c.ID
	}
	totals, err := a.SubtreeTotals(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*CategoryTotals, len(cats))
	for i, c := range cats {
		t := totals[c.ID]
		t.Category = c
		out[i] = &t
	}
	return out, nil
}

type rankedRow struct{ ProductID, N, S int }

// rankFromCounters orders the scope's products with at least minRatings ratings by the damped
// average, reading the counters: (C·m + Σ stars) / (C + n), then n, then ID.
func (a *Analytics) rankFromCounters(ctx context.Context, scope Filter, first, minRatings int, mean float64) ([]rankedRow, error) {
	const n = "(n1 + n2 + n3 + n4 + n5)"
	const sum = "(n1 + 2 * n2 + 3 * n3 + 4 * n4 + 5 * n5)"
	b := &sql.Builder{}
	b.SetDialect(a.dialect)
	b.WriteString("SELECT product_id, " + n + ", " + sum + " FROM " + a.productCountersTable() + " WHERE " + n + " >= ").Arg(minRatings)
	if p := scope.products(); p != nil {
		sel := sql.Dialect(a.dialect).Select(product.FieldID).From(sql.Table(product.Table))
		p(sel)
		b.WriteString(" AND product_id IN (").Join(sel).WriteString(")")
	}
	// Typed casts: Postgres cannot infer a parameter's type from arithmetic with bigint columns.
	b.WriteString(" ORDER BY (CAST(").Arg(PriorWeight * mean).WriteString(" AS DOUBLE PRECISION) + " + sum + ") / (CAST(").
		Arg(float64(PriorWeight)).WriteString(" AS DOUBLE PRECISION) + " + n + ") DESC, " + n + " DESC, product_id LIMIT ").Arg(first)
	query, args := b.Query()
	rows, err := a.client.For(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rankedRow
	for rows.Next() {
		var r rankedRow
		if err := rows.Scan(&r.ProductID, &r.N, &r.S); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
