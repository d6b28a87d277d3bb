-- Hand-written: hourly rollups per scope (the catalog, 0, or a category with its subtree) for
-- time-ranged analytics, kept by triggers on ratings, reviews, products and categories.
-- internal/store/rollups.go explains the design and rebuilds them from the rows.
CREATE TABLE rating_rollups (
	scope_id bigint NOT NULL,
	hour timestamptz NOT NULL,
	n1 bigint NOT NULL DEFAULT 0, n2 bigint NOT NULL DEFAULT 0, n3 bigint NOT NULL DEFAULT 0,
	n4 bigint NOT NULL DEFAULT 0, n5 bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (scope_id, hour));
CREATE TABLE review_rollups (
	scope_id bigint NOT NULL,
	hour timestamptz NOT NULL,
	n bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (scope_id, hour));
-- The scopes a product of category cat counts in: the catalog and cat with its ancestors.
-- UNION (not UNION ALL) stops at a cycle should one ever be written.
CREATE FUNCTION vitrine_scopes(cat bigint) RETURNS SETOF bigint AS $$
	WITH RECURSIVE up(id) AS (
		SELECT cat WHERE cat IS NOT NULL
		UNION SELECT c.parent_id FROM categories c JOIN up ON c.id = up.id WHERE c.parent_id IS NOT NULL)
	SELECT 0::bigint UNION SELECT id FROM up
$$ LANGUAGE sql STABLE;
-- Adds d times the ratings and reviews of the given products, per hour, to each scope.
CREATE FUNCTION vitrine_rollups_shift(products bigint[], scopes bigint[], d bigint) RETURNS void AS $$
BEGIN
	IF cardinality(scopes) = 0 OR cardinality(products) = 0 THEN
		RETURN;
	END IF;
	INSERT INTO rating_rollups AS t (scope_id, hour, n1, n2, n3, n4, n5)
	SELECT s.scope_id, r.hour, d * r.n1, d * r.n2, d * r.n3, d * r.n4, d * r.n5
	FROM (SELECT coalesce(date_trunc('hour', updated_at, 'UTC'), '-infinity') AS hour,
			count(*) FILTER (WHERE stars = 1) AS n1, count(*) FILTER (WHERE stars = 2) AS n2,
			count(*) FILTER (WHERE stars = 3) AS n3, count(*) FILTER (WHERE stars = 4) AS n4,
			count(*) FILTER (WHERE stars = 5) AS n5
		FROM ratings WHERE product_id = ANY (products)
		GROUP BY GROUPING SETS (date_trunc('hour', updated_at, 'UTC'), ())) r
	CROSS JOIN unnest(scopes) AS s(scope_id)
	ORDER BY 1, 2
	ON CONFLICT (scope_id, hour) DO UPDATE SET
		n1 = t.n1 + EXCLUDED.n1, n2 = t.n2 + EXCLUDED.n2, n3 = t.n3 + EXCLUDED.n3,
		n4 = t.n4 + EXCLUDED.n4, n5 = t.n5 + EXCLUDED.n5;
	INSERT INTO review_rollups AS t (scope_id, hour, n)
	SELECT s.scope_id, v.hour, d * v.n
	FROM (SELECT coalesce(date_trunc('hour', created_at, 'UTC'), '-infinity') AS hour, count(*) AS n
		FROM reviews WHERE product_id = ANY (products)
		GROUP BY GROUPING SETS (date_trunc('hour', created_at, 'UTC'), ())) v
	CROSS JOIN unnest(scopes) AS s(scope_id)
	ORDER BY 1, 2
	ON CONFLICT (scope_id, hour) DO UPDATE SET n = t.n + EXCLUDED.n;
END $$ LANGUAGE plpgsql;
-- Moves the given products' counts from the scopes of category src to those of dst; scopes
-- both share (the catalog, common ancestors) are left alone.
CREATE FUNCTION vitrine_rollups_move(products bigint[], src bigint, dst bigint) RETURNS void AS $$
BEGIN
	PERFORM vitrine_rollups_shift(products,
		ARRAY(SELECT vitrine_scopes(src) EXCEPT SELECT vitrine_scopes(dst) ORDER BY 1), -1);
	PERFORM vitrine_rollups_shift(products,
		ARRAY(SELECT vitrine_scopes(dst) EXCEPT SELECT vitrine_scopes(src) ORDER BY 1), 1);
END $$ LANGUAGE plpgsql;
CREATE FUNCTION rating_rollups_apply(product bigint, at timestamptz, stars bigint, d bigint) RETURNS void AS $$
DECLARE
	cat bigint;
BEGIN
	SELECT category_id INTO cat FROM products WHERE id = product;
	-- A cascaded product delete has already taken its ratings out of the rollups.
	IF NOT FOUND THEN
		RETURN;
	END IF;
	INSERT INTO rating_rollups AS t (scope_id, hour, n1, n2, n3, n4, n5)
	SELECT s, h, (stars = 1)::int * d, (stars = 2)::int * d,
		(stars = 3)::int * d, (stars = 4)::int * d, (stars = 5)::int * d
	FROM vitrine_scopes(cat) AS s
	CROSS JOIN (VALUES ('-infinity'::timestamptz), (date_trunc('hour', at, 'UTC'))) AS hh(h)
	ORDER BY 1, 2
	ON CONFLICT (scope_id, hour) DO UPDATE SET
		n1 = t.n1 + EXCLUDED.n1, n2 = t.n2 + EXCLUDED.n2, n3 = t.n3 + EXCLUDED.n3,
		n4 = t.n4 + EXCLUDED.n4, n5 = t.n5 + EXCLUDED.n5;
END $$ LANGUAGE plpgsql;
CREATE FUNCTION rating_rollups_trigger() RETURNS trigger AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		PERFORM rating_rollups_apply(OLD.product_id, OLD.updated_at, OLD.stars, -1);
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		PERFORM rating_rollups_apply(NEW.product_id, NEW.updated_at, NEW.stars, 1);
	END IF;
	RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER rating_rollups_sync AFTER INSERT OR DELETE OR UPDATE OF stars, product_id, updated_at ON ratings
	FOR EACH ROW EXECUTE FUNCTION rating_rollups_trigger();
CREATE FUNCTION review_rollups_apply(product bigint, at timestamptz, d bigint) RETURNS void AS $$
DECLARE
	cat bigint;
BEGIN
	SELECT category_id INTO cat FROM products WHERE id = product;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	INSERT INTO review_rollups AS t (scope_id, hour, n)
	SELECT s, h, d FROM vitrine_scopes(cat) AS s
	CROSS JOIN (VALUES ('-infinity'::timestamptz), (date_trunc('hour', at, 'UTC'))) AS hh(h)
	ORDER BY 1, 2
	ON CONFLICT (scope_id, hour) DO UPDATE SET n = t.n + EXCLUDED.n;
END $$ LANGUAGE plpgsql;
CREATE FUNCTION review_rollups_trigger() RETURNS trigger AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		PERFORM review_rollups_apply(OLD.product_id, OLD.created_at, -1);
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		PERFORM review_rollups_apply(NEW.product_id, NEW.created_at, 1);
	END IF;
	RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER review_rollups_sync AFTER INSERT OR DELETE OR UPDATE OF product_id, created_at ON reviews
	FOR EACH ROW EXECUTE FUNCTION review_rollups_trigger();
-- Products: a move shifts the product's counts; a delete takes them out BEFORE the row
-- goes, while its ratings are still there to be counted.
CREATE FUNCTION product_rollups_trigger() RETURNS trigger AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM vitrine_rollups_shift(ARRAY[OLD.id], ARRAY(SELECT vitrine_scopes(OLD.category_id) ORDER BY 1), -1);
		RETURN OLD;
	END IF;
	IF OLD.category_id IS DISTINCT FROM NEW.category_id THEN
		PERFORM vitrine_rollups_move(ARRAY[NEW.id], OLD.category_id, NEW.category_id);
	END IF;
	RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER product_rollups_delete BEFORE DELETE ON products
	FOR EACH ROW EXECUTE FUNCTION product_rollups_trigger();
CREATE TRIGGER product_rollups_move AFTER UPDATE OF category_id ON products
	FOR EACH ROW EXECUTE FUNCTION product_rollups_trigger();
-- Categories: a move shifts the whole subtree's counts between the old and the new
-- parent's scopes (the subtree's own scopes keep theirs); an (empty) category's delete
-- drops its scope's rows.
CREATE FUNCTION category_rollups_trigger() RETURNS trigger AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
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
CREATE TRIGGER category_rollups_sync AFTER DELETE OR UPDATE OF parent_id ON categories
	FOR EACH ROW EXECUTE FUNCTION category_rollups_trigger();
