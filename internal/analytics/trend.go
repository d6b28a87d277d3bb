package analytics

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/vitrinehq/vitrine/ent/product"
	"github.com/vitrinehq/vitrine/ent/rating"
	"github.com/vitrinehq/vitrine/ent/review"
	"github.com/vitrinehq/vitrine/internal/apperr"
)

// MaxBuckets bounds a trend's size.
const MaxBuckets = 1000

// Bucket is a calendar unit of a trend.
type Bucket string

// Buckets.
const (
	Day   Bucket = "DAY"
	Week  Bucket = "WEEK"
	Month Bucket = "MONTH"
)

// Point is one bucket of a trend.
type Point struct {
	Start time.Time
	Count int
	// Sum of stars (ratings only).
	Sum int
	// stars is set for rating trends; review trends have no average.
	stars bool
}

// Average is the bucket's mean stars, or nil when empty or counting reviews.
func (p Point) Average() *float64 {
	if p.Count == 0 || !p.stars {
		return nil
	}
	avg := float64(p.Sum) / float64(p.Count)
	return &avg
}

// bucketStarts returns the local-midnight starts of the buckets overlapping [from, to) in loc,
// plus the end of the last. Dates are stepped with time.Date so every bucket follows the zone's
// calendar across daylight-saving changes (a DST day has 23 or 25 hours).
func bucketStarts(b Bucket, from, to time.Time, loc *time.Location) ([]time.Time, error) {
	f := from.In(loc)
	start := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
	next := func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	switch b {
	case Week:
		start = start.AddDate(0, 0, -((int(start.Weekday()) + 6) % 7)) // back to Monday
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	case Month:
		start = time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, loc)
		next = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	case Day:
	default:
		return nil, apperr.InvalidField("bucket", "bucket must be DAY, WEEK or MONTH")
	}
	edges := []time.Time{start}
	for t := start; t.Before(to); {
		t = next(t)
		edges = append(edges, t)
		if len(edges) > MaxBuckets+1 {
			return nil, apperr.InvalidField("filter", "the range spans more than %d %s buckets; narrow it or use a larger bucket", MaxBuckets, b)
		}
	}
	return edges, nil
}

// trendRange validates a trend's filter and time zone.
func trendRange(f Filter, timeZone string) (time.Time, time.Time, *time.Location, error) {
	if f.From == nil || f.To == nil {
		return time.Time{}, time.Time{}, nil, apperr.InvalidField("filter", "trends need both filter.from and filter.to")
	}
	if err := f.check(); err != nil {
		return time.Time{}, time.Time{}, nil, err
	}
	loc, err := time.LoadLocation(timeZone)
	if err != nil || timeZone == "" || timeZone == "Local" {
		return time.Time{}, time.Time{}, nil, apperr.InvalidField("timeZone", "%q is not an IANA time zone such as \"Europe/Paris\" or \"UTC\"", timeZone)
	}
	return *f.From, *f.To, loc, nil
}

// RatingTrend counts ratings (and sums their stars) per bucket of [from, to).
func (a *Analytics) RatingTrend(ctx context.Context, b Bucket, f Filter, timeZone string) ([]*Point, error) {
	return cached(ctx, a, fmt.Sprintf("rtrend|%s|%s|%s", b, timeZone, f.key()), func() ([]*Point, error) {
		return a.trend(ctx, b, f, timeZone, ratingRollups, rating.FieldProductID, true)
	})
}

// ReviewTrend counts reviews per bucket of [from, to).
func (a *Analytics) ReviewTrend(ctx context.Context, b Bucket, f Filter, timeZone string) ([]*Point, error) {
	return cached(ctx, a, fmt.Sprintf("vtrend|%s|%s|%s", b, timeZone, f.key()), func() ([]*Point, error) {
		return a.trend(ctx, b, f, timeZone, reviewRollups, review.FieldProductID, false)
	})
}

// trend joins a VALUES list of bucket bounds with the table, so the database does one indexed
// range scan per bucket and returns one row per bucket — empty ones included — whatever the
// number of rows counted. The bounds are computed in Go because SQLite has no time zones; the
// counting stays in SQL on both stores.
func (a *Analytics) trend(ctx context.Context, b Bucket, f Filter, timeZone string, k rollupKind, productColumn string, stars bool) ([]*Point, error) {
	from, to, loc, err := trendRange(f, timeZone)
	if err != nil {
		return nil, err
	}
	edges, err := bucketStarts(b, from, to, loc)
	if err != nil {
		return nil, err
	}
	if a.useRollups(f) {
		return a.trendFromRollups(ctx, k, f, edges, from, to, stars)
	}
	table, timeColumn := k.table, k.timeColumn
	bld := &sql.Builder{}
	bld.SetDialect(a.dialect)
	bld.WriteString("WITH bounds(idx, lo, hi) AS (VALUES ")
	for i := 0; i+1 < len(edges); i++ {
		lo, hi := maxTime(edges[i], from), minTime(edges[i+1], to)
		if i > 0 {
			bld.Comma()
		}
		bld.WriteString("(").Arg(i).Comma()
		a.timestampArg(bld, lo.UTC())
		bld.Comma()
		a.timestampArg(bld, hi.UTC())
		bld.WriteString(")")
	}
	bld.WriteString(") SELECT bounds.idx, COUNT(t.").WriteString(productColumn).
		WriteString("), COALESCE(SUM(" + starsSQL(stars) + "), 0) FROM bounds LEFT JOIN ").
		WriteString(table).WriteString(" t ON t.").WriteString(timeColumn).WriteString(" >= bounds.lo AND t.").
		WriteString(timeColumn).WriteString(" < bounds.hi")
	if p := f.products(); p != nil {
		scope := sql.Dialect(a.dialect).Select(product.FieldID).From(sql.Table(product.Table))
		p(scope)
		bld.WriteString(" AND t.").WriteString(productColumn).WriteString(" IN (").Join(scope).WriteString(")")
	}
	bld.WriteString(" GROUP BY bounds.idx ORDER BY bounds.idx")
	query, args := bld.Query()
	rows, err := a.client.For(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("trend: %w", err)
	}
	defer rows.Close()
	points := make([]*Point, len(edges)-1)
	for i := range points {
		points[i] = &Point{Start: edges[i], stars: stars}
	}
	for rows.Next() {
		var idx, n, sum int
		if err := rows.Scan(&idx, &n, &sum); err != nil {
			return nil, fmt.Errorf("trend: %w", err)
		}
		points[idx].Count, points[idx].Sum = n, sum
	}
	return points, rows.Err()
}

func starsSQL(stars bool) string {
	if stars {
		return "t." + rating.FieldStars
	}
	return "0"
}

func (a *Analytics) timestampArg(b *sql.Builder, t time.Time) {
	if typ := a.timestampType(); typ != "" {
		b.WriteString("CAST(").Arg(t).WriteString(" AS " + typ + ")")
		return
	}
	b.Arg(t)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
