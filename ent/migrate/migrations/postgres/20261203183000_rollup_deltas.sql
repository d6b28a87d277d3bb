-- Hand-written: ratings and reviews no longer update the rollup rows and the per-product rating
-- counters in their own transaction; they append deltas, folded into them by
-- vitrine_aggregates_fold(). Every rating of the catalog used to upsert the same rows (the
-- catalog scope's all-time and current-hour rows), and every rating of a product its counter
-- row, whose row locks were held until commit, so the ratings of the catalog committed one
-- after another. An append takes no lock another writer waits for.
-- Readers sum the rows and the deltas (internal/analytics: ratingRollupsNow, productCountersNow), in
-- one statement and so in one snapshot; a fold moves rows from one to the other in one
-- transaction, so the sums are exact at every moment. internal/analytics/aggregates.go explains
-- the design.
-- The advisory lock a fold holds, and what must not interleave with one (a category's delete, a
-- rebuild) waits for: 'rollups' in ASCII.
CREATE FUNCTION vitrine_aggregates_lock_key() RETURNS bigint AS $$ SELECT x'726f6c6c757073'::bigint $$ LANGUAGE sql IMMUTABLE;
CREATE TABLE rating_rollup_deltas (
	scope_id bigint NOT NULL,
	hour timestamptz NOT NULL,
	n1 bigint NOT NULL, n2 bigint NOT NULL, n3 bigint NOT NULL, n4 bigint NOT NULL, n5 bigint NOT NULL);
CREATE INDEX rating_rollup_deltas_scope_hour ON rating_rollup_deltas (scope_id, hour);
CREATE TABLE review_rollup_deltas (
	scope_id bigint NOT NULL,
	hour timestamptz NOT NULL,
	n bigint NOT NULL);
CREATE INDEX review_rollup_deltas_scope_hour ON review_rollup_deltas (scope_id, hour);
CREATE OR REPLACE FUNCTION rating_rollups_apply(product bigint, at timestamptz, stars bigint, d bigint) RETURNS void AS $$
DECLARE
	cat bigint;
BEGIN
	SELECT category_id INTO cat FROM products WHERE id = product;
	-- A cascaded product delete has already taken its ratings out of the rollups.
	IF NOT FOUND THEN
		RETURN;
	END IF;
	INSERT INTO rating_rollup_deltas (scope_id, hour, n1, n2, n3, n4, n5)
	SELECT s, h, (stars = 1)::int * d, (stars = 2)::int * d,
		(stars = 3)::int * d, (stars = 4)::int * d, (stars = 5)::int * d
	FROM vitrine_scopes(cat) AS s
	CROSS JOIN (VALUES ('-infinity'::timestamptz), (date_trunc('hour', at, 'UTC'))) AS hh(h);
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION review_rollups_apply(product bigint, at timestamptz, d bigint) RETURNS void AS $$
DECLARE
	cat bigint;
BEGIN
	SELECT category_id INTO cat FROM products WHERE id = product;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	INSERT INTO review_rollup_deltas (scope_id, hour, n)
	SELECT s, h, d FROM vitrine_scopes(cat) AS s
	CROSS JOIN (VALUES ('-infinity'::timestamptz), (date_trunc('hour', at, 'UTC'))) AS hh(h);
END $$ LANGUAGE plpgsql;
CREATE TABLE product_rating_stat_deltas (
	product_id bigint NOT NULL,
	n1 bigint NOT NULL, n2 bigint NOT NULL, n3 bigint NOT NULL, n4 bigint NOT NULL, n5 bigint NOT NULL);
CREATE INDEX product_rating_stat_deltas_product ON product_rating_stat_deltas (product_id);
-- A product's delete removes its counters and their deltas (product_rollups_trigger below)
-- instead of the foreign key's cascade: a fold adding a counter row would wait in the key's
-- check for the product's delete, while the delete's cascade waited for the fold's rows.
ALTER TABLE product_rating_stats DROP CONSTRAINT product_rating_stats_product_id_fkey;
CREATE OR REPLACE FUNCTION product_rating_stats_apply(p bigint, s bigint, d bigint) RETURNS void AS $$
BEGIN
	INSERT INTO product_rating_stat_deltas (product_id, n1, n2, n3, n4, n5)
	VALUES (p, (s = 1)::int * d, (s = 2)::int * d, (s = 3)::int * d, (s = 4)::int * d, (s = 5)::int * d);
END $$ LANGUAGE plpgsql;
-- A delete takes the product's counts out of the rollups BEFORE the row goes, while its ratings
-- are still there to be counted, and drops its counters (deltas first: a fold that took them
-- commits before the counter row is read for deletion).
CREATE OR REPLACE FUNCTION product_rollups_trigger() RETURNS trigger AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM vitrine_rollups_shift(ARRAY[OLD.id], ARRAY(SELECT vitrine_scopes(OLD.category_id) ORDER BY 1), -1);
		DELETE FROM product_rating_stat_deltas WHERE product_id = OLD.id;
		DELETE FROM product_rating_stats WHERE product_id = OLD.id;
		RETURN OLD;
	END IF;
	IF OLD.category_id IS DISTINCT FROM NEW.category_id THEN
		PERFORM vitrine_rollups_move(ARRAY[NEW.id], OLD.category_id, NEW.category_id);
	END IF;
	RETURN NULL;
END $$ LANGUAGE plpgsql;
-- Folds every delta into the rollups and counters, one transaction per call; returns how many
-- rows it wrote, or -1 when another fold (or a category delete) holds the lock. Product and
-- category moves and deletes still shift the rollup rows themselves: they are rare, and sums do
-- not care where a count sits. Both write rows in key order, so neither waits for the other in
-- a cycle.
CREATE FUNCTION vitrine_aggregates_fold() RETURNS bigint AS $$
DECLARE
	rating_rows bigint;
	review_rows bigint;
	counter_rows bigint;
BEGIN
	-- One fold at a time across every process.
	IF NOT pg_try_advisory_xact_lock(vitrine_aggregates_lock_key()) THEN
		RETURN -1;
	END IF;
	WITH d AS (DELETE FROM rating_rollup_deltas RETURNING *)
	INSERT INTO rating_rollups AS t (scope_id, hour, n1, n2, n3, n4, n5)
	SELECT scope_id, hour, sum(n1), sum(n2), sum(n3), sum(n4), sum(n5) FROM d
	GROUP BY 1, 2 ORDER BY 1, 2
	ON CONFLICT (scope_id, hour) DO UPDATE SET
		n1 = t.n1 + EXCLUDED.n1, n2 = t.n2 + EXCLUDED.n2, n3 = t.n3 + EXCLUDED.n3,
		n4 = t.n4 + EXCLUDED.n4, n5 = t.n5 + EXCLUDED.n5;
	GET DIAGNOSTICS rating_rows = ROW_COUNT;
	WITH d AS (DELETE FROM review_rollup_deltas RETURNING *)
	INSERT INTO review_rollups AS t (scope_id, hour, n)
	SELECT scope_id, hour, sum(n) FROM d GROUP BY 1, 2 ORDER BY 1, 2
	ON CONFLICT (scope_id, hour) DO UPDATE SET n = t.n + EXCLUDED.n;
	GET DIAGNOSTICS review_rows = ROW_COUNT;
	WITH d AS (DELETE FROM product_rating_stat_deltas RETURNING *)
	INSERT INTO product_rating_stats AS t (product_id, n1, n2, n3, n4, n5)
	SELECT product_id, sum(n1), sum(n2), sum(n3), sum(n4), sum(n5) FROM d GROUP BY 1 ORDER BY 1
	ON CONFLICT (product_id) DO UPDATE SET
		n1 = t.n1 + EXCLUDED.n1, n2 = t.n2 + EXCLUDED.n2, n3 = t.n3 + EXCLUDED.n3,
		n4 = t.n4 + EXCLUDED.n4, n5 = t.n5 + EXCLUDED.n5;
	GET DIAGNOSTICS counter_rows = ROW_COUNT;
	RETURN rating_rows + review_rows + counter_rows;
END $$ LANGUAGE plpgsql;
-- A deleted (empty) category's scope also loses its deltas; the fold's lock keeps a concurrent
-- fold from deleting the same delta rows in another order (a deadlock).
CREATE OR REPLACE FUNCTION category_rollups_trigger() RETURNS trigger AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM pg_advisory_xact_lock(vitrine_aggregates_lock_key());
		DELETE FROM rating_rollup_deltas WHERE scope_id = OLD.id;
		DELETE FROM review_rollup_deltas WHERE scope_id = OLD.id;
		DELETE FROM rating_rollups WHERE scope_id = OLD.id;
		DELETE FROM review_rollups WHERE scope_id = OLD.id;
		RETURN NULL;
	END IF;
	IF OLD.parent_id IS DISTINCT FROM NEW.parent_id THEN
		PERFORM vitrine_rollups_move(ARRAY(
			SELECT p.id FROM products p WHERE p.category_id IN (
				WITH RECURSIVE down(id) AS (SELECT NEW.id
					UNION SELECT c.id FROM categories c JOIN down ON c.parent_id = down.id)
				SELECT id FROM down)), OLD.parent_id, NEW.parent_id);
	END IF;
	RETURN NULL;
END $$ LANGUAGE plpgsql;
