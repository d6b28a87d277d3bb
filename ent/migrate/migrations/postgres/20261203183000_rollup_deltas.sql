-- Hand-written: ratings and reviews no longer update the rollup rows in their own transaction;
-- they append deltas, folded into the rollups by vitrine_rollups_fold().
-- Every rating of the catalog used to upsert the same rows (the catalog scope's all-time and
-- current-hour rows), whose row locks were held until commit, so all ratings of the catalog
-- committed one after another. An append takes no lock another writer waits for.
-- Readers sum the rollup rows and the deltas (internal/analytics/rollups.go, rollupsNow), in
-- one statement and so in one snapshot; a fold moves rows from one to the other in one
-- transaction, so the sums are exact at every moment. internal/analytics/aggregates.go explains
-- the design.
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
-- Folds every delta into the rollups, one transaction per call; returns how many rollup rows it
-- wrote, or -1 when another fold (or a category delete) holds the lock. Product and category
-- moves still shift the rollup rows themselves: they are rare, and sums do not care where a
-- count sits.
CREATE FUNCTION vitrine_rollups_fold() RETURNS bigint AS $$
DECLARE
	rating_rows bigint;
	review_rows bigint;
BEGIN
	-- 'rollups' in ASCII: one fold at a time across every process.
	IF NOT pg_try_advisory_xact_lock(x'726f6c6c757073'::bigint) THEN
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
	RETURN rating_rows + review_rows;
END $$ LANGUAGE plpgsql;
-- A deleted (empty) category's scope also loses its deltas; the fold's lock keeps a concurrent
-- fold from deleting the same delta rows in another order (a deadlock).
CREATE OR REPLACE FUNCTION category_rollups_trigger() RETURNS trigger AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM pg_advisory_xact_lock(x'726f6c6c757073'::bigint);
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
