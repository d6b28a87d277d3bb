package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"entgo.io/ent/dialect"
)

// Analytics owns Vitrine's aggregates: the tables the database keeps beside the rows, how they
// are read (counters.go, rollups.go, subtree.go) and how they are rebuilt (below). The tables,
// functions and triggers themselves are created by migrations (ent/migrate/migrations), since
// ent cannot describe them; the migration files name internal/store/counters.go and rollups.go,
// this file's former home (released migrations are never edited).
//
// Per-product rating counters: one row per rated product with the number of 1★ … 5★ ratings,
// kept by triggers in the same transaction as every insert, update and delete of a rating, so
// they are exact under any concurrency (the row lock on the counter row orders concurrent
// changes). Whole-catalog and per-category rating aggregates read 20k counter rows instead of
// scanning a million ratings. The tables and triggers are created by the migration
// ent/migrate/migrations/*/20261201191825_counters.sql.
//
// Review counters: the number of reviews of every reviewed product. A review's product never
// changes, so inserts and deletes are all that move them.
//
// Hourly rollups for time-ranged analytics on Postgres. A time-ranged aggregate over a million
// ratings cannot be counted row by row within a dashboard's latency budget, so every rating and
// review is also counted in a row per (scope, UTC hour), where a scope is the whole catalog (0)
// or a category, standing for its whole subtree: a rating adds to the catalog scope and to its
// product's category and every ancestor of it. A category's monthly trend then sums a few
// thousand hourly rows instead of hundreds of thousands of ratings.
//
// Hours, not days: every IANA zone's offset today is a whole number of quarter hours, and
// analytics splits any range into the whole UTC hours it covers (read from the rollups) and at
// most two partial hours at its ends (counted from the rows), so results stay exact for any
// zone and any from/to.
//
// Triggers follow every change in the writing transaction, like the per-product counters: a
// rating's insert, star change, move or delete; a review's insert or delete; a product moved to
// another category or deleted (its ratings leave the old scopes before the cascade removes
// them); a category moved under another parent (its subtree's ratings leave the old ancestors
// and join the new ones).
//
// Each scope also has a row at hour '-infinity' holding its all-time totals: a category's rating
// histogram or review count is one row, whatever its size.
//
// On Postgres, ratings and reviews append deltas instead of updating the rollup rows, and
// ratings append deltas to the per-product counters too. Every rating of the catalog counts in
// the catalog scope's all-time row and current hour, and every rating of a product in its
// counter row; updated in the writing transaction, those rows stayed locked until it committed,
// so the ratings of the whole catalog committed one at a time, about 400 a second on the
// 2-core reference machine. A delta row (rating_rollup_deltas, review_rollup_deltas,
// product_rating_stat_deltas) locks nothing another writer needs. Readers sum the rows and the
// deltas together (ratingRollupsNow, reviewRollupsNow, productCountersNow), and every server
// process folds the deltas in each FoldInterval (FoldDeltas), one process at a time, so a reader
// sums a second or so of deltas besides the folded rows. A fold moves rows from one table to
// the other in one transaction, so no reader sees a count twice or not at all. Product and
// category moves and deletes, which are rare, shift the rollup rows themselves, in (scope, hour)
// order like a fold, so neither waits for the other in a cycle. The embedded store keeps its
// counters in place: it runs one writer at a time anyway.
//
// SQLite has no rollups: the embedded store serves demo-sized data, where counting the rows is
// fast, and its triggers cannot walk the category tree (no CTEs inside SQLite triggers).
//
// The tables, functions and triggers are created by the migration
// ent/migrate/migrations/postgres/20261201191826_rollups.sql; the deltas and the fold by
// 20261203183000_rollup_deltas.sql.

// aggregateSet is a group of aggregate tables kept by triggers (created by the migrations) and
// the statements that recompute them from the rows.
type aggregateSet struct {
	tables []string
	// postgresTables are emptied too on Postgres: the deltas not yet folded into tables.
	postgresTables []string
	// postgresOnly sets are not kept on the embedded store.
	postgresOnly bool
	rebuild      []string
}

var aggregateSets = []aggregateSet{
	{[]string{"product_rating_stats"}, []string{"product_rating_stat_deltas"}, false, []string{rebuildCounters}},
	{[]string{"product_review_stats"}, nil, false, []string{rebuildReviewCounters}},
	{[]string{"rating_rollups", "review_rollups"}, []string{"rating_rollup_deltas", "review_rollup_deltas"}, true, rebuildRollups},
}

// RebuildAggregates recomputes every counter and rollup of db (of the given dialect) from the
// rows, for data loaded with triggers disabled (session_replication_role = replica) or
// repaired by hand. Each group is emptied and refilled in one transaction, so no change slips
// between the two.
func RebuildAggregates(ctx context.Context, db *sql.DB, dialectName string) error {
	for _, set := range aggregateSets {
		if set.postgresOnly && dialectName != dialect.Postgres {
			continue
		}
		if err := rebuild(ctx, db, set, dialectName == dialect.Postgres); err != nil {
			return fmt.Errorf("rebuild %s: %w", set.tables[0], err)
		}
	}
	return nil
}

func rebuild(ctx context.Context, db *sql.DB, set aggregateSet, postgres bool) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	tables := set.tables
	if postgres {
		// A fold beside the rebuild would add deltas the rebuild has counted already.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(vitrine_aggregates_lock_key())"); err != nil {
			return err
		}
		tables = slices.Concat(set.tables, set.postgresTables)
	}
	for _, table := range tables {
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

// rebuildRollups recomputes both rollups from the rows: each category is mapped once to the
// scopes it counts in — vitrine_scopes, the same function the triggers use, so the two cannot
// disagree — and the ratings are grouped a single time. Rows go in in key order, so a scope's
// hours sit on neighbouring pages and a range of them is read from a few pages.
var rebuildRollups = []string{
	`INSERT INTO rating_rollups (scope_id, hour, n1, n2, n3, n4, n5)
	WITH anc(cat, scope_id) AS (SELECT c.id, s FROM categories c CROSS JOIN LATERAL vitrine_scopes(c.id) AS s),
	per AS (
		SELECT p.category_id, date_trunc('hour', r.updated_at, 'UTC') AS hour,
			count(*) FILTER (WHERE r.stars = 1) AS n1, count(*) FILTER (WHERE r.stars = 2) AS n2,
			count(*) FILTER (WHERE r.stars = 3) AS n3, count(*) FILTER (WHERE r.stars = 4) AS n4,
			count(*) FILTER (WHERE r.stars = 5) AS n5
		FROM ratings r JOIN products p ON p.id = r.product_id GROUP BY 1, 2),
	hourly AS (
		SELECT anc.scope_id, per.hour, sum(n1) AS n1, sum(n2) AS n2, sum(n3) AS n3, sum(n4) AS n4, sum(n5) AS n5
		FROM per JOIN anc ON anc.cat = per.category_id GROUP BY 1, 2)
	SELECT * FROM hourly
	UNION ALL
	SELECT scope_id, '-infinity', sum(n1), sum(n2), sum(n3), sum(n4), sum(n5) FROM hourly GROUP BY scope_id
	ORDER BY 1, 2`,
	`INSERT INTO review_rollups (scope_id, hour, n)
	WITH anc(cat, scope_id) AS (SELECT c.id, s FROM categories c CROSS JOIN LATERAL vitrine_scopes(c.id) AS s),
	per AS (
		SELECT p.category_id, date_trunc('hour', v.created_at, 'UTC') AS hour, count(*) AS n
		FROM reviews v JOIN products p ON p.id = v.product_id GROUP BY 1, 2),
	hourly AS (
		SELECT anc.scope_id, per.hour, sum(n) AS n FROM per JOIN anc ON anc.cat = per.category_id GROUP BY 1, 2)
	SELECT * FROM hourly
	UNION ALL
	SELECT scope_id, '-infinity', sum(n) FROM hourly GROUP BY scope_id
	ORDER BY 1, 2`,
}
