package analytics

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/category"
	"github.com/vitrinehq/vitrine/ent/predicate"
	"github.com/vitrinehq/vitrine/ent/rating"
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
	var rows []struct {
		ProductID int `json:"product_id"`
		N         int `json:"n"`
		S         int `json:"s"`
	}
	err = a.db(ctx).Rating.Query().Where(scope.ratings()...).
		Modify(func(s *sql.Selector) {
			score := sql.ExprFunc(func(b *sql.Builder) {
				b.WriteString("(").Arg(PriorWeight * mean).WriteString(" + SUM(").Ident(s.C(rating.FieldStars)).
					WriteString(")) / (").Arg(float64(PriorWeight)).WriteString(" + COUNT(*))")
			})
			s.Select(s.C(rating.FieldProductID), sql.As(sql.Count("*"), "n"), sql.As(sql.Sum(s.C(rating.FieldStars)), "s")).
				GroupBy(s.C(rating.FieldProductID)).
				Having(sql.GTE("COUNT(*)", minRatings)).
				OrderExpr(sql.DescExpr(score), sql.DescExpr(sql.Expr("COUNT(*)")), sql.Expr(s.C(rating.FieldProductID))).
				Limit(first)
		}).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("top rated: %w", err)
	}
	ids := make([]int, len(rows))
	for i, r := range rows {
		ids[i] = r.ProductID
	}
	byID, err := catalog.ProductsByID(ctx, a.db(ctx), ids)
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
	cats, err := a.db(ctx).Category.Query().Where(where).Order(ent.Asc(category.FieldName), ent.Asc(category.FieldID)).All(ctx)
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
