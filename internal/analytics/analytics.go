// Package analytics owns Vitrine's rating and review aggregates: the dashboards' queries, the
// per-product figures the batch loaders read (ProductRatings, ReviewCounts, SubtreeTotals), and
// the counters and rollups the database keeps beside the rows — what they are and how they are
// rebuilt (aggregates.go). Every aggregate is computed by the database (GROUP BY over indexed
// ranges, or those kept tables); Go only shapes the result.
package analytics

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/predicate"
	"github.com/vitrinehq/vitrine/ent/product"
	"github.com/vitrinehq/vitrine/ent/rating"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/catalog"
)

// Stats aggregates a set of ratings.
type Stats struct {
	Count int
	Sum   int
	// counts holds the 1★ … 5★ counts.
	counts [5]int
}

// Distribution returns the five counts of 1★ … 5★ ratings.
func (s Stats) Distribution() []int { return s.counts[:] }

// Average is the mean stars, or nil without ratings.
func (s Stats) Average() *float64 {
	if s.Count == 0 {
		return nil
	}
	avg := float64(s.Sum) / float64(s.Count)
	return &avg
}

// plus is s with o's ratings added.
func (s Stats) plus(o Stats) Stats {
	for i, n := range o.counts {
		s.add(i+1, n)
	}
	return s
}

func (s *Stats) add(stars, n int) {
	if stars < 1 || stars > 5 {
		return
	}
	s.counts[stars-1] += n
	s.Count += n
	s.Sum += n * stars
}

// Filter narrows an aggregate. From is inclusive, To exclusive; both apply to a rating's last
// change (updated_at) and a review's creation.
type Filter struct {
	ProductID  *int
	CategoryID *int
	From, To   *time.Time
}

// Analytics answers aggregate queries. Methods return BAD_USER_INPUT *apperr.Error values for
// invalid filters.
type Analytics struct {
	client  *ent.Client
	dialect string
	cache   *Cache
}

// New returns Analytics over client of the given dialect.
func New(client *ent.Client, dialect string) *Analytics {
	return &Analytics{client: client, dialect: dialect}
}

func (f Filter) check() error {
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		return apperr.InvalidField("filter.to", "to must be after from")
	}
	return nil
}

// products returns the predicate for products in the filter's scope, or nil for all.
func (f Filter) products() predicate.Product {
	switch {
	case f.ProductID != nil && f.CategoryID != nil:
		return product.And(product.ID(*f.ProductID), catalog.InCategoryTree(*f.CategoryID))
	case f.ProductID != nil:
		return product.ID(*f.ProductID)
	case f.CategoryID != nil:
		return catalog.InCategoryTree(*f.CategoryID)
	}
	return nil
}

func (f Filter) ratings() []predicate.Rating {
	var ps []predicate.Rating
	if f.ProductID != nil && f.CategoryID == nil {
		ps = append(ps, rating.ProductID(*f.ProductID))
	} else if p := f.products(); p != nil {
		ps = append(ps, rating.HasProductWith(p))
	}
	if f.From != nil {
		ps = append(ps, rating.UpdatedAtGTE(f.From.UTC()))
	}
	if f.To != nil {
		ps = append(ps, rating.UpdatedAtLT(f.To.UTC()))
	}
	return ps
}

// RatingStats returns the count, mean and histogram of the ratings in the filter.
func (a *Analytics) RatingStats(ctx context.Context, f Filter) (Stats, error) {
	if err := f.check(); err != nil {
		return Stats{}, err
	}
	return cached(ctx, a, "stats|"+f.key(), func() (Stats, error) { return a.ratingStats(ctx, f) })
}

func (a *Analytics) ratingStats(ctx context.Context, f Filter) (Stats, error) {
	if f.From == nil && f.To == nil {
		return a.statsFromCounters(ctx, f)
	}
	if a.useRollups(f) {
		return a.statsFromRollups(ctx, f)
	}
	var rows []struct {
		Stars int `json:"stars"`
		N     int `json:"n"`
	}
	err := a.client.For(ctx).Rating.Query().Where(f.ratings()...).
		GroupBy(rating.FieldStars).
		Aggregate(func(s *sql.Selector) string { return sql.As(sql.Count("*"), "n") }).
		Scan(ctx, &rows)
	if err != nil {
		return Stats{}, fmt.Errorf("rating stats: %w", err)
	}
	var s Stats
	for _, r := range rows {
		s.add(r.Stars, r.N)
	}
	return s, nil
}

// ProductRatings returns the rating aggregate of each product from the counters: one
// statement for all ids.
func (a *Analytics) ProductRatings(ctx context.Context, ids []int) (map[int]Stats, error) {
	return a.productCounters(ctx, ids)
}

// timestampType is how a bound timestamp is cast in SQL text: Postgres must be told the
// type of a parameter inside VALUES; SQLite compares the stored text form directly.
func (a *Analytics) timestampType() string {
	if a.dialect == dialect.Postgres {
		return "TIMESTAMPTZ"
	}
	return ""
}

// FreshRatingStats is RatingStats read from the database, never from the cache: live
// subscriptions must show what is committed now, including other processes' writes.
func (a *Analytics) FreshRatingStats(ctx context.Context, f Filter) (Stats, error) {
	if err := f.check(); err != nil {
		return Stats{}, err
	}
	return a.ratingStats(ctx, f)
}
