package seed_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/seed"
)

// TestLoadRejectsImpossibleOptions expects clear errors, and no rows, for options that cannot
// be satisfied.
func TestLoadRejectsImpossibleOptions(t *testing.T) {
	client := openSQLite(t)
	for _, tc := range []struct {
		name string
		opts seed.Options
		want string
	}{
		{"negative", seed.Options{Users: -1}, "negative"},
		{"products without a tree", seed.Options{Categories: 2, Products: 1}, "at least 3 categories"},
		{"too many categories", seed.Options{Categories: 100000}, "categories are supported"},
		{"more reviews than pairs", seed.Options{Categories: 3, Products: 2, Users: 2, Reviews: 5}, "at most products*users"},
		{"more ratings than pairs", seed.Options{Categories: 3, Products: 2, Users: 2, Ratings: 5}, "at most products*users"},
		{"ratings without users", seed.Options{Categories: 3, Products: 2, Ratings: 1}, "at most products*users"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := seed.Load(t.Context(), client, tc.opts)
			require.ErrorContains(t, err, tc.want)
		})
	}
	empty, err := seed.IsEmpty(t.Context(), client)
	require.NoError(t, err)
	require.True(t, empty, "a rejected load writes nothing")
}

// TestLoadEdgeCases covers tiny and saturated catalogs, where the sampling has the least room.
func TestLoadEdgeCases(t *testing.T) {
	cases := []struct {
		name string
		opts seed.Options
	}{
		{"nothing", seed.Options{}},
		{"smallest tree", seed.Options{Categories: 3, Products: 1, Users: 1, Reviews: 1, Ratings: 1}},
		{"every user reviews and rates every product", seed.Options{Categories: 5, Products: 6, Users: 5, Reviews: 30, Ratings: 30}},
		{"ratings only", seed.Options{Categories: 20, Products: 30, Users: 10, Ratings: 250}},
		{"more categories than the built-in tree", seed.Options{Categories: 150, Products: 300, Users: 20, Reviews: 400, Ratings: 900}},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					client := st.open(t)
					tc.opts.Now = now
					stats, err := seed.Load(t.Context(), client, tc.opts)
					require.NoError(t, err)
					want := seed.Stats{Categories: tc.opts.Categories, Products: tc.opts.Products,
						Users: tc.opts.Users, Reviews: tc.opts.Reviews, Ratings: tc.opts.Ratings}
					require.Equal(t, want, stats)
					requireCounts(t, client, want)
					if tc.opts.Products > 0 {
						checkCategoryTree(t, client)
						checkFeedback(t, client)
					}
				})
			}
		})
	}
}

// TestLoadAcrossBatches loads enough rows that every table needs several INSERT batches, so
// the bind-parameter arithmetic and ID bookkeeping across batches are exercised on both stores.
func TestLoadAcrossBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("loads tens of thousands of rows")
	}
	opts := seed.Options{Seed: 42, Products: 4500, Categories: 100, Users: 400, Reviews: 25000, Ratings: 60000, Now: now}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			client := st.open(t)
			began := time.Now()
			stats, err := seed.Load(t.Context(), client, opts)
			require.NoError(t, err)
			t.Logf("%s: %+v in %v", st.name, stats, time.Since(began))
			requireCounts(t, client, stats)
			checkCategoryTree(t, client)
			requireRealisticFeedback(t, checkFeedback(t, client))
		})
	}
}

func itoa[T int | int64](v T) string { return strconv.FormatInt(int64(v), 10) }

func unix(at time.Time) string { return strconv.FormatInt(at.Unix(), 10) }
