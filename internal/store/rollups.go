package store

// Hourly rollups for time-ranged analytics on Postgres. A time-ranged aggregate over a million
// ratings cannot be counted row by row within a dashboard's latency budget, so every rating and
// review is also counted in a row per (scope, UTC hour), where a scope is the whole catalog (0)
// or a category, standing for its whole subtree: a rating adds to the catalog scope and to its
// product's category and every ancestor of it. A category's monthly trend then sums a few
// thousand hourly rows instead of hundreds of thousands of ratings.
//
// Hours, not days: every IANA zone's offset today is a whole number of quarter hours, and
// analytics splits any range into the whole UTC hours it covers (read here) and at most two
// partial hours at its ends (counted from the rows), so results stay exact for any zone and
// any from/to.
//
// Triggers keep the rollups in the writing transaction, like the per-product counters: a
// rating's insert, star change, move or delete; a review's insert or delete; a product moved to
// another category or deleted (its ratings leave the old scopes before the cascade removes
// them); a category moved under another parent (its subtree's ratings leave the old ancestors
// and join the new ones). Rows are upserted in (scope, hour) order, so concurrent writers take
// their row locks in one order and cannot deadlock.
//
// Each scope also has a row at hour '-infinity' holding its all-time totals, kept by the same
// upserts: a category's rating histogram or review count is one row, whatever its size.
//
// SQLite has no rollups: the embedded store serves demo-sized data, where counting the rows is
// fast, and its triggers cannot walk the category tree (no CTEs inside SQLite triggers).
//
// The tables, functions and triggers are created by the migration
// ent/migrate/migrations/postgres/20261201191826_rollups.sql.

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
