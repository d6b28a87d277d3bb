-- bench/analytics-data.sql: the data set of the analytics scale benchmark (bench/analytics.sh),
-- loaded with INSERT … SELECT into an EMPTY, freshly migrated Vitrine database:
--
--   DATABASE_URL=postgres://postgres@127.0.0.1:5432/vitrine_analytics?sslmode=disable vitrine migrate
--   psql -X -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -f bench/analytics-data.sql
--
-- What it loads (every pseudo-random choice is an md5 hash of the row's ordinal, never
-- random(); only the time axis moves: timestamps are relative to now() at load time, so that
-- "the last 30 days" always holds data when the benchmark runs right after loading):
--   categories      120  3 levels: 8 departments, 32 subcategories (4 each), 80 leaves
--                        (2 or 3 per subcategory)
--   products     20,000  ~2% directly in a department, ~8% in a subcategory, ~90% in a leaf;
--                        created 25 to 19 months ago
--   users         5,000  role USER, password_hash '!' (cannot log in)
--   ratings   1,000,000  unique (product, user); popularity skewed by rank (1/(rank+200):
--                        ~11 to ~1,100 per product), and 5% of products get only 0 to 4
--                        ratings so minRatings matters; stars J-shaped (about 55% 5★, 22% 4★,
--                        9% 3★, 5% 2★, 10% 1★) shifted per product by a quality score;
--                        created_at over the last 18 months, denser towards now (density
--                        falls linearly with age); 15% were changed later (updated_at up to now)
--   reviews     300,000  unique (product, author); popularity 1/(rank+100) on the same rank
--                        (~3 to ~570 per product); created_at like ratings
-- IDs lie in each table's ent global-ID range (ent/internal/globalid.go); ratings and reviews
-- are inserted, and numbered, in created_at order, as if written live. Every identity sequence
-- is moved past the loaded rows. The secondary indexes and foreign keys of ratings and reviews
-- are dropped for the load and recreated from their exact definitions (which re-validates every
-- row), all in one transaction, with triggers off (the counters and rollups are rebuilt in bulk
-- afterwards by bench/analytics.sh). The script ends with VACUUM ANALYZE.

\set ON_ERROR_STOP on
SET TimeZone = 'UTC';

BEGIN;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM categories) OR EXISTS (SELECT 1 FROM products)
     OR EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM reviews)
     OR EXISTS (SELECT 1 FROM ratings) THEN
    RAISE EXCEPTION 'bench/analytics-data.sql loads into an empty migrated Vitrine database; this one has data';
  END IF;
END
$$;

SET LOCAL work_mem = '256MB';
SET LOCAL maintenance_work_mem = '512MB';
-- No per-row triggers during the load: bench/analytics.sh rebuilds the counters and rollups in
-- bulk afterwards (vitrine migrate -rebuild-aggregates), which is what the triggers would have
-- produced row by row, in a fraction of the time.
SET LOCAL session_replication_role = replica;

-- h(key): a 60-bit non-negative integer hash of a text key.
CREATE FUNCTION pg_temp.h(text) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT ('x' || substr(md5($1), 1, 15))::bit(60)::bigint $$;

-- The load's "now", one value for every row (now() is the transaction's start).
CREATE TEMP TABLE an_anchor ON COMMIT DROP AS SELECT date_trunc('second', now()) AS t;

-- ---------------------------------------------------------------------------------------------
-- Categories (range starts at 0): 1..8 departments, 9..40 subcategories (department d owns
-- 9 + 4(d-1) .. 12 + 4(d-1)), 41..120 leaves (leaf k has parent 9 + k mod 32).
INSERT INTO categories (id, created_at, updated_at, name, slug, parent_id)
SELECT d, ts, ts, name, lower(replace(name, ' ', '-')), NULL
FROM (
  SELECT d, a.t - interval '800 days' + d * interval '1 hour' AS ts,
         (ARRAY['Outdoor', 'Kitchen', 'Electronics', 'Books', 'Toys', 'Garden', 'Sports',
                'Home'])[d] AS name
  FROM generate_series(1, 8) AS d, an_anchor AS a
) AS dept;

INSERT INTO categories (id, created_at, updated_at, name, slug, parent_id)
SELECT 8 + (d - 1) * 4 + s, ts, ts, name, lower(replace(name, ' ', '-')), d
FROM (
  SELECT d, s, a.t - interval '799 days' + (d * 4 + s) * interval '1 hour' AS ts,
         c.name || ' ' || (ARRAY['Essentials', 'Accessories', 'Premium', 'Basics'])[s] AS name
  FROM generate_series(1, 8) AS d, generate_series(1, 4) AS s, an_anchor AS a,
       categories AS c
  WHERE c.id = d
) AS sub;

INSERT INTO categories (id, created_at, updated_at, name, slug, parent_id)
SELECT 41 + k, ts, ts, name, lower(replace(name, ' ', '-')) || '-' || (41 + k), 9 + k % 32
FROM (
  SELECT k, a.t - interval '798 days' + k * interval '1 hour' AS ts,
         p.name || ' ' || (ARRAY['Tools', 'Gear', 'Classics'])[1 + k / 32] AS name
  FROM generate_series(0, 79) AS k, an_anchor AS a, categories AS p
  WHERE p.id = 9 + k % 32
) AS leaf;

-- ---------------------------------------------------------------------------------------------
-- Products: ids 4294967296 + 1..20000.
INSERT INTO products (id, created_at, updated_at, sku, name, slug, description, price,
                      currency, stock, image_url, category_id)
SELECT 4294967296 + i,
       created_at,
       created_at + ((x >> 40) % 60) * interval '1 day',
       'AN-' || lpad(i::text, 6, '0'),
       adj || ' ' || mat || ' ' || noun,
       lower(replace(adj || '-' || mat || '-' || noun, ' ', '-')) || '-' || i,
       'The ' || lower(adj) || ' ' || lower(mat) || ' ' || lower(noun) || ' ' ||
         (ARRAY['built to last for years of daily use.',
                'designed with care and tested in the field.',
                'that packs small and weighs almost nothing.',
                'with a lifetime warranty and free repairs.',
                'made from responsibly sourced materials.',
                'for weekends, workdays and everything between.',
                'that our customers keep coming back for.',
                'with a waterproof finish and reinforced seams.'])[1 + (x >> 20) % 8],
       ((x >> 8) % 300 + 1) * 100 - 1,                   -- 0.99 .. 299.99 USD, in cents
       'USD',
       (x >> 28) % 500,
       CASE WHEN i % 10 <> 3 THEN 'https://img.vitrine.example/p/' || i || '.jpg' END,
       CASE WHEN (x >> 50) % 50 = 0 THEN 1 + (x >> 4) % 8       -- ~2% in a department
            WHEN (x >> 50) % 50 < 5 THEN 9 + (x >> 12) % 32     -- ~8% in a subcategory
            -- the rest in a leaf, low-numbered leaves (and so department 1) more often
            ELSE 41 + floor(80 * power(((x >> 12) % 10000) / 10000.0, 1.6))::int END
FROM (
  SELECT i, x,
         a.t - interval '760 days' + i * interval '777 seconds' AS created_at,
         (ARRAY['Rugged', 'Classic', 'Compact', 'Deluxe', 'Everyday', 'Featherweight',
                'Heritage', 'Modern', 'Nordic', 'Pocket', 'Pro', 'Smart', 'Urban',
                'Vintage', 'Wild', 'Cozy'])[1 + x % 16] AS adj,
         (ARRAY['Canvas', 'Steel', 'Bamboo', 'Cotton', 'Ceramic', 'Oak', 'Wool',
                'Titanium', 'Leather', 'Linen'])[1 + (x >> 5) % 10] AS mat,
         (ARRAY['Backpack', 'Kettle', 'Lamp', 'Notebook', 'Jacket', 'Mug', 'Speaker',
                'Tent', 'Blanket', 'Knife', 'Planter', 'Bottle', 'Chair', 'Headphones',
                'Skillet', 'Scarf', 'Desk Organizer', 'Yoga Mat', 'Puzzle', 'Watch'])
           [1 + (x >> 10) % 20] AS noun
  FROM (SELECT i, pg_temp.h('an-product:' || i) AS x FROM generate_series(1, 20000) AS i) AS s,
       an_anchor AS a
) AS p;

-- Users: ids 17179869184 + 1..5000.
INSERT INTO users (id, created_at, updated_at, email, display_name, password_hash, role)
SELECT 17179869184 + j, ts, ts,
       'user' || lpad(j::text, 5, '0') || '@analytics.vitrine.test',
       (ARRAY['Ava', 'Noah', 'Mia', 'Liam', 'Zoë', 'José', 'Hana', 'Omar', 'Ines', 'Lukas',
              'Priya', 'Mateo', 'Sofia', 'Kenji', 'Amara', 'Søren', 'Chloé', 'Dmitri',
              'Fatima', 'Jonas'])[1 + x % 20] || ' ' ||
       (ARRAY['Smith', 'García', 'Müller', 'Rossi', 'Nguyen', 'Kowalski', 'Okafor',
              'Tanaka', 'Larsen', 'O''Brien', 'Silva', 'Dubois', 'Novak', 'Haddad',
              'Schmidt', 'Patel', 'Andersson', 'Moreau', 'Costa', 'Lee'])[1 + (x >> 5) % 20],
       '!',
       'USER'
FROM (
  SELECT j, pg_temp.h('an-user:' || j) AS x, a.t - interval '790 days' + j * interval '2 hours' AS ts
  FROM generate_series(1, 5000) AS j, an_anchor AS a
) AS u;

-- ---------------------------------------------------------------------------------------------
-- Per-product counts. A product's popularity rank is a permutation of its ordinal (7919 is
-- coprime with 20,000). Cumulative rounding makes the counts sum exactly to the totals:
-- count = round(N*C(rank)/C) - round(N*C(rank-1)/C), C the cumulative weight. 5% of the
-- products (x mod 20 = 0) have a tiny weight: 0 to ~4 ratings and 0 to 2 reviews.
CREATE TEMP TABLE an_counts ON COMMIT DROP AS
SELECT i, x, q,
       round(1000000 * rt_cum / max(rt_cum) OVER ())::int
         - round(1000000 * coalesce(lag(rt_cum) OVER (ORDER BY r), 0) / max(rt_cum) OVER ())::int
         AS n_ratings,
       round(300000 * rv_cum / max(rv_cum) OVER ())::int
         - round(300000 * coalesce(lag(rv_cum) OVER (ORDER BY r), 0) / max(rv_cum) OVER ())::int
         AS n_reviews
FROM (
  SELECT i, r, x, (x >> 20) % 100 AS q,
         sum(CASE WHEN x % 20 = 0 THEN ((x >> 8) % 5) * 0.0000043 ELSE 1.0 / (r + 200) END)
           OVER (ORDER BY r) AS rt_cum,
         sum(CASE WHEN x % 20 = 0 THEN ((x >> 8) % 3) * 0.0000035 ELSE 1.0 / (r + 100) END)
           OVER (ORDER BY r) AS rv_cum
  FROM (SELECT i, (i * 7919) % 20000 AS r, pg_temp.h('an-feedback:' || i) AS x
        FROM generate_series(1, 20000) AS i) AS ranks
) AS w;

DO $$
BEGIN
  IF (SELECT max(n_ratings) FROM an_counts) > 5000 OR (SELECT max(n_reviews) FROM an_counts) > 5000 THEN
    RAISE EXCEPTION 'a product would need more ratings or reviews than there are users';
  END IF;
END
$$;

-- Drop the secondary indexes and foreign keys of the two big tables; recreate them after the
-- load from the definitions the migration made (same names), as "Populating a Database" in the
-- PostgreSQL manual recommends. Unique indexes and ADD CONSTRAINT … FOREIGN KEY re-check
-- every row.
CREATE TEMP TABLE an_ddl ON COMMIT DROP AS
SELECT 1 AS pass, format('DROP INDEX %s', i.indexrelid::regclass) AS drop_stmt,
       pg_get_indexdef(i.indexrelid) AS create_stmt
FROM pg_index AS i
WHERE i.indrelid IN ('reviews'::regclass, 'ratings'::regclass) AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS k WHERE k.conindid = i.indexrelid)
UNION ALL
SELECT 2, format('ALTER TABLE %s DROP CONSTRAINT %I', k.conrelid::regclass, k.conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', k.conrelid::regclass, k.conname,
              pg_get_constraintdef(k.oid))
FROM pg_constraint AS k
WHERE k.conrelid IN ('reviews'::regclass, 'ratings'::regclass) AND k.contype IN ('f', 'u');

DO $$
DECLARE d record;
BEGIN
  FOR d IN SELECT drop_stmt FROM an_ddl ORDER BY pass DESC LOOP
    EXECUTE d.drop_stmt;
  END LOOP;
END
$$;

-- Ratings: the k-th rating of product i is by user 1 + (a0 + k*step) mod 5000 with step
-- coprime with 5,000, so users are distinct per product. Age: 548 days * (1 - sqrt(u)).
INSERT INTO ratings (id, created_at, updated_at, stars, product_id, user_id)
SELECT 8589934592 - 1 + row_number() OVER (ORDER BY created_at, product_id, user_id),
       created_at,
       CASE WHEN y % 100 < 15
            THEN created_at + ((y >> 40) % 1000) / 1000.0 * (t - created_at)
            ELSE created_at END,
       CASE WHEN u < 0.10 - s THEN 1
            WHEN u < 0.15 - 1.5 * s THEN 2
            WHEN u < 0.24 - 2 * s THEN 3
            WHEN u < 0.46 - 2.5 * s THEN 4
            ELSE 5 END,
       product_id,
       user_id
FROM (
  SELECT 4294967296 + c.i AS product_id,
         17179869184 + 1 + (c.x % 5000 + k * (ARRAY[1, 3, 7, 11, 13, 17, 19, 23, 29, 31, 37,
                                                    41, 43, 47, 53, 59])[1 + (c.x >> 10) % 16]) % 5000
           AS user_id,
         y,
         ((y >> 8) % 1000) / 1000.0 AS u,
         (c.q - 50) / 600.0 AS s,
         a.t,
         a.t - (1 - sqrt(((y >> 20) % 1000000) / 1000000.0)) * interval '548 days'
           - ((y >> 50) % 60) * interval '1 second' AS created_at
  FROM an_counts AS c
  CROSS JOIN LATERAL generate_series(0, c.n_ratings - 1) AS k
  CROSS JOIN LATERAL (SELECT pg_temp.h('an-rating:' || c.i || ':' || k) AS y) AS hy
  CROSS JOIN an_anchor AS a
) AS r
ORDER BY r.created_at, r.product_id, r.user_id;

-- Reviews: like ratings, with another offset and step per product.
INSERT INTO reviews (id, created_at, updated_at, title, body, product_id, author_id)
SELECT 12884901888 - 1 + row_number() OVER (ORDER BY created_at, product_id, author_id),
       created_at,
       CASE WHEN y % 10 = 0 THEN created_at + ((y >> 40) % 1000) / 1000.0 * (t - created_at)
            ELSE created_at END,
       CASE WHEN y % 25 = 0 THEN ''
            ELSE (ARRAY['Great value', 'Exactly as described', 'Not what I expected',
                        'Would buy again', 'Solid, but pricey', 'Five stars from me',
                        'Broke after a month', 'My new favourite', 'Good enough',
                        'Surprisingly well made', 'Meh', 'Perfect gift'])[1 + (y >> 3) % 12] END,
       concat_ws(' ',
         s[1 + (y >> 7) % 8],
         s[1 + (y >> 25) % 8],
         CASE WHEN (y >> 11) % 3 >= 1 THEN s[1 + (y >> 13) % 8] END,
         CASE WHEN (y >> 11) % 3 >= 2 THEN s[1 + (y >> 17) % 8] END),
       product_id,
       author_id
FROM (
  SELECT 4294967296 + c.i AS product_id,
         17179869184 + 1 + ((c.x >> 30) % 5000 + k * (ARRAY[61, 67, 71, 73, 79, 83, 89, 97])
                                                        [1 + (c.x >> 14) % 8]) % 5000 AS author_id,
         y,
         a.t,
         a.t - (1 - sqrt(((y >> 20) % 1000000) / 1000000.0)) * interval '548 days'
           - ((y >> 50) % 60) * interval '1 second' AS created_at,
         ARRAY['It arrived quickly and well packed.', 'The quality is better than the price suggests.',
               'I use it every day.', 'The colour is a bit different from the photos.',
               'Customer service answered within a day.', 'It feels sturdy.',
               'Assembly took ten minutes.', 'I would recommend it to a friend.'] AS s
  FROM an_counts AS c
  CROSS JOIN LATERAL generate_series(0, c.n_reviews - 1) AS k
  CROSS JOIN LATERAL (SELECT pg_temp.h('an-review:' || c.i || ':' || k) AS y) AS hy
  CROSS JOIN an_anchor AS a
) AS v
ORDER BY v.created_at, v.product_id, v.author_id;

DO $$
DECLARE d record;
BEGIN
  FOR d IN SELECT create_stmt FROM an_ddl ORDER BY pass LOOP
    EXECUTE d.create_stmt;
  END LOOP;
END
$$;

-- Identity sequences continue after the loaded rows (each inside its table's ID range).
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['categories', 'products', 'users', 'ratings', 'reviews'] LOOP
    EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), (SELECT max(id) FROM %I))', t, t);
  END LOOP;
END
$$;

DO $$
BEGIN
  IF (SELECT count(*) FROM categories) <> 120 OR (SELECT count(*) FROM products) <> 20000
     OR (SELECT count(*) FROM users) <> 5000 OR (SELECT count(*) FROM reviews) <> 300000
     OR (SELECT count(*) FROM ratings) <> 1000000 THEN
    RAISE EXCEPTION 'unexpected row counts after the load';
  END IF;
END
$$;

COMMIT;

VACUUM (ANALYZE) categories, products, users, ratings, reviews;
