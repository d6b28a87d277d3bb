package analytics_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// TestRatingTrendMatchesBruteForceInEveryZone buckets the fixture's ratings by local calendar
// days and weeks in zones on both sides of UTC and compares with counting in Go.
func TestRatingTrendMatchesBruteForceInEveryZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := seed(t, st)
		a := analytics.New(st.Client, st.Dialect)
		from, to := base.Add(-30*time.Hour), base.Add(100*time.Hour+13*time.Minute)
		for _, zone := range []string{"UTC", "Asia/Kolkata", "America/Los_Angeles"} {
			for _, b := range []analytics.Bucket{analytics.Day, analytics.Week} {
				t.Run(zone+"/"+string(b), func(t *testing.T) {
					loc, err := time.LoadLocation(zone)
					require.NoError(t, err)
					pts, err := a.RatingTrend(context.Background(), b, analytics.Filter{From: &from, To: &to, CategoryID: &f.mid}, zone)
					require.NoError(t, err)
					require.NotEmpty(t, pts)
					total := 0
					for i, p := range pts {
						start := p.Start.In(loc)
						require.Zero(t, start.Hour()+start.Minute(), "buckets start at local midnight: %v", start)
						if b == analytics.Week {
							require.Equal(t, time.Monday, start.Weekday())
						}
						end := start.AddDate(0, 0, 1)
						if b == analytics.Week {
							end = start.AddDate(0, 0, 7)
						}
						if i+1 < len(pts) {
							require.True(t, end.Equal(pts[i+1].Start), "buckets are contiguous")
						}
						lo, hi := maxTime(start, from), minTime(end, to)
						n, sum := 0, 0
						for _, r := range f.ratings {
							if f.under(f.productCat[r.ProductID], f.mid) && !r.UpdatedAt.Before(lo) && r.UpdatedAt.Before(hi) {
								n++
								sum += r.Stars
							}
						}
						require.Equal(t, n, p.Count, "bucket %v", start)
						require.Equal(t, sum, p.Sum, "bucket %v", start)
						total += n
					}
					want, _, _ := f.bruteStats(analytics.Filter{From: &from, To: &to, CategoryID: &f.mid})
					require.Equal(t, want, total, "the buckets cover [from, to) exactly")
				})
			}
		}
	})
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

func TestTrendValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a := analytics.New(st.Client, st.Dialect)
		from, to := base, base.Add(48*time.Hour)
		long := base.AddDate(10, 0, 0)
		for _, tc := range []struct {
			name   string
			bucket analytics.Bucket
			filter analytics.Filter
			zone   string
			field  string
		}{
			{"no bounds", analytics.Day, analytics.Filter{}, "UTC", "filter"},
			{"backward", analytics.Day, analytics.Filter{From: &to, To: &from}, "UTC", "filter.to"},
			{"unknown zone", analytics.Day, analytics.Filter{From: &from, To: &to}, "Mars/Olympus", "timeZone"},
			{"Local is not a zone", analytics.Day, analytics.Filter{From: &from, To: &to}, "Local", "timeZone"},
			{"empty zone", analytics.Day, analytics.Filter{From: &from, To: &to}, "", "timeZone"},
			{"unknown bucket", analytics.Bucket("HOUR"), analytics.Filter{From: &from, To: &to}, "UTC", "bucket"},
			{"too many buckets", analytics.Day, analytics.Filter{From: &from, To: &long}, "UTC", "filter"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := a.RatingTrend(context.Background(), tc.bucket, tc.filter, tc.zone)
				e, ok := apperr.As(err)
				require.True(t, ok, "%v", err)
				require.Equal(t, apperr.BadInput, e.Code)
				require.Equal(t, tc.field, e.Field)
			})
		}
	})
}

// TestTopRatedMatchesBruteForce ranks by the Bayesian score (C·m + Σ) / (C + n) with ties by
// count, then ID, and keeps only products with at least minRatings ratings.
func TestTopRatedMatchesBruteForce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := seed(t, st)
		a := analytics.New(st.Client, st.Dialect)
		for _, scope := range []*int{nil, &f.mid} {
			var all analytics.Filter
			all.CategoryID = scope
			count, sum, _ := f.bruteStats(all)
			mean := float64(sum) / float64(count)
			type row struct {
				id, n, s int
				score    float64
			}
			var rows []row
			for _, pid := range f.products {
				if scope != nil && !f.under(f.productCat[pid], *scope) {
					continue
				}
				n, s, _ := f.bruteStats(analytics.Filter{ProductID: &pid})
				if n >= 3 {
					rows = append(rows, row{pid, n, s, (analytics.PriorWeight*mean + float64(s)) / (analytics.PriorWeight + float64(n))})
				}
			}
			sort.Slice(rows, func(i, j int) bool {
				if rows[i].score != rows[j].score {
					return rows[i].score > rows[j].score
				}
				if rows[i].n != rows[j].n {
					return rows[i].n > rows[j].n
				}
				return rows[i].id < rows[j].id
			})
			require.NotEmpty(t, rows)
			got, err := a.TopRated(context.Background(), 4, 3, scope)
			require.NoError(t, err)
			require.Len(t, got, min(4, len(rows)))
			for i, g := range got {
				require.Equal(t, rows[i].id, g.Product.ID, "place %d", i)
				require.Equal(t, rows[i].n, g.Count)
				require.InDelta(t, rows[i].score, g.Score, 1e-9)
			}
		}
		_, err := a.TopRated(context.Background(), 0, 0, nil)
		require.Equal(t, apperr.BadInput, apperr.CodeOf(err))
		_, err = a.TopRated(context.Background(), 5, -1, nil)
		require.Equal(t, apperr.BadInput, apperr.CodeOf(err))
	})
}
