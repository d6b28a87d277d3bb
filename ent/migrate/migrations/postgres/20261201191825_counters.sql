-- Hand-written: per-product rating counters (1..5 stars) and review counters, kept by triggers
-- in the writing transaction, so whole-catalog and per-category aggregates read one row per
-- product instead of every rating. internal/store/counters.go explains them and rebuilds them.
CREATE TABLE product_rating_stats (
	product_id bigint PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
	n1 bigint NOT NULL DEFAULT 0, n2 bigint NOT NULL DEFAULT 0, n3 bigint NOT NULL DEFAULT 0,
	n4 bigint NOT NULL DEFAULT 0, n5 bigint NOT NULL DEFAULT 0);
CREATE FUNCTION product_rating_stats_apply(p bigint, s bigint, d bigint) RETURNS void AS $$
BEGIN
	INSERT INTO product_rating_stats AS t (product_id, n1, n2, n3, n4, n5)
	VALUES (p, (s = 1)::int * d, (s = 2)::int * d, (s = 3)::int * d, (s = 4)::int * d, (s = 5)::int * d)
	ON CONFLICT (product_id) DO UPDATE SET
		n1 = t.n1 + EXCLUDED.n1, n2 = t.n2 + EXCLUDED.n2, n3 = t.n3 + EXCLUDED.n3,
		n4 = t.n4 + EXCLUDED.n4, n5 = t.n5 + EXCLUDED.n5;
END $$ LANGUAGE plpgsql;
CREATE FUNCTION product_rating_stats_trigger() RETURNS trigger AS $$
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
END $$ LANGUAGE plpgsql;
CREATE TRIGGER product_rating_stats_sync AFTER INSERT OR DELETE OR UPDATE OF stars, product_id ON ratings
	FOR EACH ROW EXECUTE FUNCTION product_rating_stats_trigger();
CREATE TABLE product_review_stats (
	product_id bigint PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
	n bigint NOT NULL DEFAULT 0);
CREATE FUNCTION product_review_stats_trigger() RETURNS trigger AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO product_review_stats AS t (product_id, n) VALUES (NEW.product_id, 1)
		ON CONFLICT (product_id) DO UPDATE SET n = t.n + 1;
	ELSE
		UPDATE product_review_stats SET n = n - 1 WHERE product_id = OLD.product_id;
	END IF;
	RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER product_review_stats_sync AFTER INSERT OR DELETE ON reviews
	FOR EACH ROW EXECUTE FUNCTION product_review_stats_trigger();
