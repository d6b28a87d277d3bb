package store

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect"
)

// Per-product rating counters: one row per rated product with the number of 1★ … 5★ ratings,
// kept by triggers in the same transaction as every insert, update and delete of a rating, so
// they are exact under any concurrency (the row lock on the counter row orders concurrent
// changes). Whole-catalog and per-category rating aggregates read 20k counter rows instead of
// scanning a million ratings. The tables and triggers are created by the migration
// ent/migrate/migrations/*/20261201191825_counters.sql.
//
// Review counters: the number of reviews of every reviewed product. A review's product never
// changes, so inserts and deletes are all that move them.

// aggregateSet is a group of aggregate tables kept by triggers (created by the migrations) and
// the statements that recompute them from the rows.
type aggregateSet struct {
	tables []string
	// postgresOnly sets are not kept on the embedded store.
	postgresOnly bool
	rebuild      []string
}

var aggregateSets = []aggregateSet{
	{[]string{"product_rating_stats"}, false, []string{rebuildCounters}},
	{[]string{"product_review_stats"}, false, []string{rebuildReviewCounters}},
	{[]string{"rating_rollups", "review_rollups"}, true, rebuildRollups},
}

// RebuildAggregates recomputes every counter and rollup from the rows, for data loaded with
// triggers disabled (session_replication_role = replica) or repaired by hand. Each group is
// emptied and refilled in one transaction, so no change slips between the two.
func (s *Store) RebuildAggregates(ctx context.Context) error {
	for _, set := range aggregateSets {
		if set.postgresOnly && s.Dialect != dialect.Postgres {
			continue
		}
		if err := s.rebuild(ctx, set); err != nil {
			return fmt.Errorf("rebuild %s: %w", set.tables[0], err)
		}
	}
	return nil
}

func (s *Store) rebuild(ctx context.Context, set aggregateSet) error {
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for _, table := range set.tables {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table); err != nil {
			return err
		}
	}
	for _, stmt := range set.rebuild {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// rebuildCounters recomputes every counter from the ratings.
const rebuildCounters = `INSERT INTO product_rating_stats (product_id, n1, n2, n3, n4, n5)
	SELECT product_id, SUM(CASE WHEN stars = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN stars = 2 THEN 1 ELSE 0 END),
		SUM(CASE WHEN stars = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN stars = 4 THEN 1 ELSE 0 END),
		SUM(CASE WHEN stars = 5 THEN 1 ELSE 0 END)
	FROM ratings GROUP BY product_id`

// rebuildReviewCounters recomputes every review counter from the reviews.
const rebuildReviewCounters = `INSERT INTO product_review_stats (product_id, n)
	SELECT product_id, COUNT(*) FROM reviews GROUP BY product_id`
