package store

// Per-product rating counters: one row per rated product with the number of 1★ … 5★ ratings,
// kept by triggers in the same transaction as every insert, update and delete of a rating, so
// they are exact under any concurrency (the row lock on the counter row orders concurrent
// changes). Whole-catalog and per-category rating aggregates read 20k counter rows instead of
// scanning a million ratings. The counters are rebuilt from the ratings whenever the table is
// created, so existing databases get them on their next migration.

// counterSet is a group of aggregate tables kept by triggers: their DDL per dialect (none: the
// dialect does without them) and the statements that rebuild them from the rows.
type counterSet struct {
	tables           []string
	postgres, sqlite []string
	rebuild          []string
}

var counterSets = []counterSet{
	{[]string{"product_rating_stats"}, postgresCountersDDL, sqliteCountersDDL, []string{rebuildCounters}},
	{[]string{"product_review_stats"}, postgresReviewCountersDDL, sqliteReviewCountersDDL, []string{rebuildReviewCounters}},
	{[]string{"rating_rollups", "review_rollups"}, postgresRollupsDDL, nil, rebuildRollups},
}

var postgresCountersDDL = []string{
	`CREATE TABLE IF NOT EXISTS product_rating_stats (
		product_id bigint PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
		n1 bigint NOT NULL DEFAULT 0, n2 bigint NOT NULL DEFAULT 0, n3 bigint NOT NULL DEFAULT 0,
		n4 bigint NOT NULL DEFAULT 0, n5 bigint NOT NULL DEFAULT 0)`,
	`CREATE OR REPLACE FUNCTION product_rating_stats_apply(p bigint, s bigint, d bigint) RETURNS void AS $$
	BEGIN
		INSERT INTO product_rating_stats AS t (product_id, n1, n2, n3, n4, n5)
		VALUES (p, (s = 1)::int * d, (s = 2)::int * d, (s = 3)::int * d, (s = 4)::int * d, (s = 5)::int * d)
		ON CONFLICT (product_id) DO UPDATE SET
			n1 = t.n1 + EXCLUDED.n1, n2 = t.n2 + EXCLUDED.n2, n3 = t.n3 + EXCLUDED.n3,
			n4 = t.n4 + EXCLUDED.n4, n5 = t.n5 + EXCLUDED.n5;
	END $$ LANGUAGE plpgsql`,
	`CREATE OR REPLACE FUNCTION product_rating_stats_trigger() RETURNS trigger AS $$
	BEGIN
		IF TG_OP IN ('UPDATE', 'DELETE') THEN
			-- A cascaded product delete has already removed the counter row: nothing to undo.
			IF EXISTS (SELECT 1 FROM products WHERE id = OLD.product_id) THEN
				PERFORM product_rating_stats_apply(OLD.product_id, OLD.stars, -1);
			END IF;
		END IF;
		IF TG_OP IN ('INSERT', 'UPDATE') THEN
			PERFORM product_rating_stats_apply(NEW.product_id, NEW.stars, 1);
		END IF;
		RETURN NULL;
	END $$ LANGUAGE plpgsql`,
	`DROP TRIGGER IF EXISTS product_rating_stats_sync ON ratings`,
	`CREATE TRIGGER product_rating_stats_sync AFTER INSERT OR DELETE OR UPDATE OF stars, product_id ON ratings
		FOR EACH ROW EXECUTE FUNCTION product_rating_stats_trigger()`,
}

// sqliteCountersDDL keeps the same counters with SQLite triggers (UPSERT needs SQLite 3.24+).
var sqliteCountersDDL = []string{
	`CREATE TABLE IF NOT EXISTS product_rating_stats (
		product_id integer PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
		n1 integer NOT NULL DEFAULT 0, n2 integer NOT NULL DEFAULT 0, n3 integer NOT NULL DEFAULT 0,
		n4 integer NOT NULL DEFAULT 0, n5 integer NOT NULL DEFAULT 0)`,
	`CREATE TRIGGER IF NOT EXISTS product_rating_stats_insert AFTER INSERT ON ratings BEGIN
		INSERT INTO product_rating_stats (product_id, n1, n2, n3, n4, n5)
		VALUES (NEW.product_id, NEW.stars = 1, NEW.stars = 2, NEW.stars = 3, NEW.stars = 4, NEW.stars = 5)
		ON CONFLICT (product_id) DO UPDATE SET n1 = n1 + excluded.n1, n2 = n2 + excluded.n2,
			n3 = n3 + excluded.n3, n4 = n4 + excluded.n4, n5 = n5 + excluded.n5;
	END`,
	`CREATE TRIGGER IF NOT EXISTS product_rating_stats_delete AFTER DELETE ON ratings BEGIN
		UPDATE product_rating_stats SET n1 = n1 - (OLD.stars = 1), n2 = n2 - (OLD.stars = 2),
			n3 = n3 - (OLD.stars = 3), n4 = n4 - (OLD.stars = 4), n5 = n5 - (OLD.stars = 5)
		WHERE product_id = OLD.product_id;
	END`,
	`CREATE TRIGGER IF NOT EXISTS product_rating_stats_update AFTER UPDATE OF stars, product_id ON ratings BEGIN
		UPDATE product_rating_stats SET n1 = n1 - (OLD.stars = 1), n2 = n2 - (OLD.stars = 2),
			n3 = n3 - (OLD.stars = 3), n4 = n4 - (OLD.stars = 4), n5 = n5 - (OLD.stars = 5)
		WHERE product_id = OLD.product_id;
		INSERT INTO product_rating_stats (product_id, n1, n2, n3, n4, n5)
		VALUES (NEW.product_id, NEW.stars = 1, NEW.stars = 2, NEW.stars = 3, NEW.stars = 4, NEW.stars = 5)
		ON CONFLICT (product_id) DO UPDATE SET n1 = n1 + excluded.n1, n2 = n2 + excluded.n2,
			n3 = n3 + excluded.n3, n4 = n4 + excluded.n4, n5 = n5 + excluded.n5;
	END`,
}

// rebuildCounters recomputes every counter from the ratings.
const rebuildCounters = `INSERT INTO product_rating_stats (product_id, n1, n2, n3, n4, n5)
	SELECT product_id, SUM(CASE WHEN stars = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN stars = 2 THEN 1 ELSE 0 END),
		SUM(CASE WHEN stars = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN stars = 4 THEN 1 ELSE 0 END),
		SUM(CASE WHEN stars = 5 THEN 1 ELSE 0 END)
	FROM ratings GROUP BY product_id`

// Review counters: the number of reviews of every reviewed product. A review's product never
// changes, so inserts and deletes are all that move them.
var postgresReviewCountersDDL = []string{
	`CREATE TABLE IF NOT EXISTS product_review_stats (
		product_id bigint PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
		n bigint NOT NULL DEFAULT 0)`,
	`CREATE OR REPLACE FUNCTION product_review_stats_trigger() RETURNS trigger AS $$
	BEGIN
		IF TG_OP = 'INSERT' THEN
			INSERT INTO product_review_stats AS t (product_id, n) VALUES (NEW.product_id, 1)
			ON CONFLICT (product_id) DO UPDATE SET n = t.n + 1;
		ELSE
			UPDATE product_review_stats SET n = n - 1 WHERE product_id = OLD.product_id;
		END IF;
		RETURN NULL;
	END $$ LANGUAGE plpgsql`,
	`DROP TRIGGER IF EXISTS product_review_stats_sync ON reviews`,
	`CREATE TRIGGER product_review_stats_sync AFTER INSERT OR DELETE ON reviews
		FOR EACH ROW EXECUTE FUNCTION product_review_stats_trigger()`,
}

var sqliteReviewCountersDDL = []string{
	`CREATE TABLE IF NOT EXISTS product_review_stats (
		product_id integer PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
		n integer NOT NULL DEFAULT 0)`,
	`CREATE TRIGGER IF NOT EXISTS product_review_stats_insert AFTER INSERT ON reviews BEGIN
		INSERT INTO product_review_stats (product_id, n) VALUES (NEW.product_id, 1)
		ON CONFLICT (product_id) DO UPDATE SET n = n + 1;
	END`,
	`CREATE TRIGGER IF NOT EXISTS product_review_stats_delete AFTER DELETE ON reviews BEGIN
		UPDATE product_review_stats SET n = n - 1 WHERE product_id = OLD.product_id;
	END`,
}

const rebuildReviewCounters = `INSERT INTO product_review_stats (product_id, n)
	SELECT product_id, COUNT(*) FROM reviews GROUP BY product_id`
