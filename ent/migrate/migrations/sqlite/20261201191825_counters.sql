-- Hand-written: per-product rating counters (1..5 stars) and review counters, kept by triggers
-- in the writing transaction (UPSERT needs SQLite 3.24+). internal/store/counters.go explains
-- them and rebuilds them. A later migration that rebuilds ratings or reviews must create these
-- triggers again (TestMigrationsKeepTriggers checks).
CREATE TABLE product_rating_stats (
	product_id integer PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
	n1 integer NOT NULL DEFAULT 0, n2 integer NOT NULL DEFAULT 0, n3 integer NOT NULL DEFAULT 0,
	n4 integer NOT NULL DEFAULT 0, n5 integer NOT NULL DEFAULT 0);
CREATE TRIGGER product_rating_stats_insert AFTER INSERT ON ratings BEGIN
	INSERT INTO product_rating_stats (product_id, n1, n2, n3, n4, n5)
	VALUES (NEW.product_id, NEW.stars = 1, NEW.stars = 2, NEW.stars = 3, NEW.stars = 4, NEW.stars = 5)
	ON CONFLICT (product_id) DO UPDATE SET n1 = n1 + excluded.n1, n2 = n2 + excluded.n2,
		n3 = n3 + excluded.n3, n4 = n4 + excluded.n4, n5 = n5 + excluded.n5;
END;
CREATE TRIGGER product_rating_stats_delete AFTER DELETE ON ratings BEGIN
	UPDATE product_rating_stats SET n1 = n1 - (OLD.stars = 1), n2 = n2 - (OLD.stars = 2),
		n3 = n3 - (OLD.stars = 3), n4 = n4 - (OLD.stars = 4), n5 = n5 - (OLD.stars = 5)
	WHERE product_id = OLD.product_id;
END;
CREATE TRIGGER product_rating_stats_update AFTER UPDATE OF stars, product_id ON ratings BEGIN
	UPDATE product_rating_stats SET n1 = n1 - (OLD.stars = 1), n2 = n2 - (OLD.stars = 2),
		n3 = n3 - (OLD.stars = 3), n4 = n4 - (OLD.stars = 4), n5 = n5 - (OLD.stars = 5)
	WHERE product_id = OLD.product_id;
	INSERT INTO product_rating_stats (product_id, n1, n2, n3, n4, n5)
	VALUES (NEW.product_id, NEW.stars = 1, NEW.stars = 2, NEW.stars = 3, NEW.stars = 4, NEW.stars = 5)
	ON CONFLICT (product_id) DO UPDATE SET n1 = n1 + excluded.n1, n2 = n2 + excluded.n2,
		n3 = n3 + excluded.n3, n4 = n4 + excluded.n4, n5 = n5 + excluded.n5;
END;
CREATE TABLE product_review_stats (
	product_id integer PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
	n integer NOT NULL DEFAULT 0);
CREATE TRIGGER product_review_stats_insert AFTER INSERT ON reviews BEGIN
	INSERT INTO product_review_stats (product_id, n) VALUES (NEW.product_id, 1)
	ON CONFLICT (product_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER product_review_stats_delete AFTER DELETE ON reviews BEGIN
	UPDATE product_review_stats SET n = n - 1 WHERE product_id = OLD.product_id;
END;
