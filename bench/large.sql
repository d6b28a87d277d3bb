-- bench/large.sql: the "large" benchmark catalog for Vitrine, loaded with a handful of
-- INSERT … SELECT statements into an EMPTY, freshly migrated Vitrine database (`vitrine migrate`).
--
--   psql -X -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -f bench/large.sql
--
-- What it loads (deterministic: every pseudo-random choice is a hash of the row's ordinal,
-- never random(), so the data does not depend on plan or evaluation order):
--   categories      100  10 departments, 9 subcategories each
--   products     10,000  5% directly in a department, the rest in subcategories; USD prices
--   users         1,000  role USER, password_hash '!' (cannot log in)
--   reviews     200,000  unique (product, author); popularity skewed (3 to ~750 per product);
--                        created_at over the 18 months before 2026-11-01; 1 in 50 carry the
--                        same timestamp (a bulk import on 2026-10-31 12:00 UTC) and 1 in 8 are
--                        truncated to the hour, so many products' newest reviews tie on
--                        created_at and the (created_at DESC, id DESC) tie-break matters
--   ratings     500,000  unique (product, user); 11 to ~790 per product; stars skewed to 4-5
-- IDs lie in each table's ent global-ID range (ent/internal/globalid.go), and every identity
-- sequence is moved past the loaded rows so the application's own inserts do not collide.
-- Ends with VACUUM ANALYZE (visibility map for index-only scans, fresh planner statistics).

\set ON_ERROR_STOP on
SET TimeZone = 'UTC';
-- Keep synchronous_commit on: after an asynchronous commit, VACUUM cannot mark pages
-- all-visible until the WAL is flushed, and index-only scans would then visit the heap.

BEGIN;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM categories) OR EXISTS (SELECT 1 FROM products)
     OR EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM reviews)
     OR EXISTS (SELECT 1 FROM ratings) THEN
    RAISE EXCEPTION 'bench/large.sql loads into an empty migrated Vitrine database; this one has data';
  END IF;
END
$$;

-- No per-row triggers during the load: the counters and rollups they keep are rebuilt in bulk
-- afterwards (vitrine migrate -rebuild-aggregates, as run.sh and nginx.sh do), which gives what
-- the triggers would have produced row by row, in a fraction of the time.
SET LOCAL session_replication_role = replica;

-- h(key): a 60-bit non-negative integer hash of a text key (md5 is stable across versions).
CREATE FUNCTION pg_temp.h(text) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT ('x' || substr(md5($1), 1, 15))::bit(60)::bigint $$;

-- Categories: ids 1..10 are departments, 11..100 their subcategories (range starts at 0).
INSERT INTO categories (id, created_at, updated_at, name, slug, parent_id)
SELECT d, ts, ts, name, lower(replace(name, ' ', '-')), NULL
FROM (
  SELECT d,
         timestamptz '2024-10-01 09:00:00+00' + d * interval '1 hour' AS ts,
         (ARRAY['Outdoor', 'Kitchen', 'Electronics', 'Books', 'Toys',
                'Garden', 'Sports', 'Home', 'Beauty', 'Office'])[d] AS name
  FROM generate_series(1, 10) AS d
) AS dept
UNION ALL
SELECT 10 + (d - 1) * 9 + s, ts, ts, name, lower(replace(name, ' ', '-')), d
FROM (
  SELECT d, s,
         timestamptz '2024-10-02 09:00:00+00' + (d * 9 + s) * interval '1 hour' AS ts,
         (ARRAY['Outdoor', 'Kitchen', 'Electronics', 'Books', 'Toys',
                'Garden', 'Sports', 'Home', 'Beauty', 'Office'])[d] || ' ' ||
         (ARRAY['Essentials', 'Accessories', 'Premium', 'Basics', 'Tools',
                'Gear', 'Classics', 'Deals', 'New Arrivals'])[s] AS name
  FROM generate_series(1, 10) AS d, generate_series(1, 9) AS s
) AS sub;

-- Products: ids 4294967296 + 0..9999, created over the two years before 2026-11-01, in id
-- order. Names: adjective + material + noun; slug = that, hyphenated, plus the ordinal.
INSERT INTO products (id, created_at, updated_at, sku, name, slug, description, price,
                      currency, stock, image_url, category_id)
SELECT 4294967296 + i,
       created_at,
       least(created_at + ((x >> 40) % 90) * interval '1 day', timestamptz '2026-11-01 00:00:00+00'),
       'VB-' || lpad((i + 1)::text, 6, '0'),
       adj || ' ' || mat || ' ' || noun,
       lower(replace(adj || '-' || mat || '-' || noun, ' ', '-')) || '-' || (i + 1),
       'The ' || lower(adj) || ' ' || lower(mat) || ' ' || lower(noun) || ' ' ||
         (ARRAY['built to last for years of daily use.',
                'designed with care and tested in the field.',
                'that packs small and weighs almost nothing.',
                'with a lifetime warranty and free repairs.',
                'made from responsibly sourced materials.',
                'for weekends, workdays and everything between.',
                'that our customers keep coming back for.',
                'with a waterproof finish and reinforced seams.'])[1 + (x >> 20) % 8],
       ((x >> 8) % 300 + 1) * 100 - 1,               -- 0.99 .. 299.99 USD, in cents
       'USD',
       (x >> 28) % 500,
       CASE WHEN i % 10 <> 3 THEN 'https://img.vitrine.example/p/' || (i + 1) || '.jpg' END,
       CASE WHEN i % 20 = 7 THEN 1 + (x >> 4) % 10   -- 5% directly in a department
            ELSE 11 + (x >> 12) % 90 END
FROM (
  SELECT i, x,
         timestamptz '2024-11-01 00:00:00+00' + i * interval '6307 seconds' AS created_at,
         (ARRAY['Rugged', 'Classic', 'Compact', 'Deluxe', 'Everyday', 'Featherweight',
                'Heritage', 'Modern', 'Nordic', 'Pocket', 'Pro', 'Smart', 'Urban',
                'Vintage', 'Wild', 'Cozy'])[1 + x % 16] AS adj,
         (ARRAY['Canvas', 'Steel', 'Bamboo', 'Cotton', 'Ceramic', 'Oak', 'Wool',
                'Titanium', 'Leather', 'Linen'])[1 + (x >> 5) % 10] AS mat,
         (ARRAY['Backpack', 'Kettle', 'Lamp', 'Notebook', 'Jacket', 'Mug', 'Speaker',
                'Tent', 'Blanket', 'Knife', 'Planter', 'Bottle', 'Chair', 'Headphones',
                'Skillet', 'Scarf', 'Desk Organizer', 'Yoga Mat', 'Puzzle', 'Watch'])
           [1 + (x >> 10) % 20] AS noun
  FROM (SELECT i, pg_temp.h('product:' || i) AS x FROM generate_series(0, 9999) AS i) AS s
) AS p;

-- Users: ids 17179869184 + 0..999.
INSERT INTO users (id, created_at, updated_at, email, display_name, password_hash, role)
SELECT 17179869184 + j,
       timestamptz '2024-09-01 00:00:00+00' + j * interval '4 hours',
       timestamptz '2024-09-01 00:00:00+00' + j * interval '4 hours',
       'user' || lpad((j + 1)::text, 4, '0') || '@bench.vitrine.dev',
       (ARRAY['Ava', 'Noah', 'Mia', 'Liam', 'Zoë', 'José', 'Hana', 'Omar', 'Ines', 'Lukas',
              'Priya', 'Mateo', 'Sofia', 'Kenji', 'Amara', 'Søren', 'Chloé', 'Dmitri',
              'Fatima', 'Jonas'])[1 + x % 20] || ' ' ||
       (ARRAY['Smith', 'García', 'Müller', 'Rossi', 'Nguyen', 'Kowalski', 'Okafor',
              'Tanaka', 'Larsen', 'O''Brien', 'Silva', 'Dubois', 'Novak', 'Haddad',
              'Schmidt', 'Patel', 'Andersson', 'Moreau', 'Costa', 'Lee'])[1 + (x >> 5) % 20],
       '!',
       'USER'
FROM (SELECT j, pg_temp.h('user:' || j) AS x FROM generate_series(0, 999) AS j) AS u;

-- Per-product counts with a skewed (harmonic) popularity. A product's popularity rank is a
-- permutation of its ordinal (7919 is coprime with 10,000), so popular products are spread
-- over the id range. count(rank) = round(N*C(rank)/C) - round(N*C(rank-1)/C) with C the
-- cumulative weight sums exactly to N. Weights 1/(rank+50) give 3..755 reviews per product,
-- 1/(rank+150) give 11..790 ratings: always at most 1,000 (the number of users).
CREATE TEMP TABLE bench_counts ON COMMIT DROP AS
SELECT i,
       round(200000 * rv_cum / max(rv_cum) OVER ())::int
         - round(200000 * coalesce(lag(rv_cum) OVER (ORDER BY r), 0) / max(rv_cum) OVER ())::int
         AS n_reviews,
       round(500000 * rt_cum / max(rt_cum) OVER ())::int
         - round(500000 * coalesce(lag(rt_cum) OVER (ORDER BY r), 0) / max(rt_cum) OVER ())::int
         AS n_ratings,
       pg_temp.h('feedback:' || i) AS x
FROM (
  SELECT i, r,
         sum(1.0::float8 / (r + 50)) OVER (ORDER BY r) AS rv_cum,
         sum(1.0::float8 / (r + 150)) OVER (ORDER BY r) AS rt_cum
  FROM (SELECT i, (i * 7919) % 10000 AS r FROM generate_series(0, 9999) AS i) AS ranks
) AS w;

-- Bulk-load the two big tables the way the PostgreSQL manual recommends ("Populating a
-- Database"): drop their secondary indexes and foreign keys, insert, then recreate them from
-- the exact definitions the migration made (same names), which re-validates every row in one
-- pass: unique indexes check uniqueness, ADD CONSTRAINT … FOREIGN KEY checks every reference.
-- All inside the transaction, so a failure leaves the schema as it was.
SET LOCAL work_mem = '256MB';
SET LOCAL maintenance_work_mem = '512MB';
CREATE TEMP TABLE bench_ddl ON COMMIT DROP AS
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
  FOR d IN SELECT drop_stmt FROM bench_ddl ORDER BY pass DESC LOOP
    EXECUTE d.drop_stmt;
  END LOOP;
END
$$;

-- Reviews: the k-th review of product i is by user (a0 + k*step) mod 1000 with step coprime
-- with 1,000, so authors are distinct per product. IDs rise with created_at, as if written live.
INSERT INTO reviews (id, created_at, updated_at, title, body, product_id, author_id)
SELECT 12884901888 - 1 + row_number() OVER (ORDER BY created_at, product_id, author_id),
       created_at,
       created_at + CASE WHEN y % 10 = 0 THEN ((y >> 30) % 2592000) * interval '1 second'
                         ELSE interval '0' END,
       CASE WHEN y % 25 = 0 THEN ''
            ELSE (ARRAY['Great value', 'Exactly as described', 'Not what I expected',
                        'Would buy again', 'Solid, but pricey', 'Five stars from me',
                        'Broke after a month', 'My new favourite', 'Good enough',
                        'Surprisingly well made', 'Meh', 'Perfect gift',
                        'Does the job', 'Better than the reviews said',
                        'Returned it — wrong size', 'Love it!'])[1 + (y >> 3) % 16] END,
       concat_ws(' ',                        -- 2 to 5 sentences, 50 to 330 characters
         s[1 + (y >> 7) % 12],
         s[1 + (y >> 25) % 12],
         CASE WHEN (y >> 11) % 4 >= 1 THEN s[1 + (y >> 13) % 12] END,
         CASE WHEN (y >> 11) % 4 >= 2 THEN s[1 + (y >> 17) % 12] END,
         CASE WHEN (y >> 11) % 4 >= 3 THEN s[1 + (y >> 21) % 12] END),
       product_id,
       author_id
FROM (
  SELECT 4294967296 + c.i AS product_id,
         17179869184 + (c.x % 1000 + k * (ARRAY[1, 3, 7, 9, 11, 13, 17, 19, 21, 23, 27, 29,
                                                31, 33, 37, 39])[1 + (c.x >> 10) % 16]) % 1000
           AS author_id,
         y,
         CASE WHEN y % 50 = 0 THEN timestamptz '2026-10-31 12:00:00+00'  -- a bulk import
              WHEN y % 8 = 0 THEN date_trunc('hour', t)
              ELSE t END AS created_at,
         ARRAY['Arrived quickly and well packed.',
               'The quality is better than I expected for the price.',
               'I have used it every day for three weeks now.',
               'Instructions were unclear, but setup took ten minutes.',
               'My partner says it is "the best thing we bought this year".',
               E'Pros: sturdy, good looking.\nCons: a bit heavy.',
               'Colour is slightly different from the photos.',
               'Customer support replied within a day and sorted it out.',
               'Would recommend to anyone on a budget.',
               'It does exactly one thing and does it well.',
               'After a month of use there are no signs of wear.',
               'Smaller than it looks in the pictures — check the dimensions.'] AS s
  FROM (
    SELECT c.i, c.x, k, pg_temp.h('review:' || c.i || ':' || k) AS y
    FROM bench_counts AS c
    CROSS JOIN LATERAL generate_series(0, c.n_reviews - 1) AS k
    OFFSET 0                                -- a fence: hash each row once, not per use of y
  ) AS c
  CROSS JOIN LATERAL (                      -- 47,347,200 s = 548 days
    SELECT timestamptz '2026-11-01 00:00:00+00' - (y >> 4) % 47347200 * interval '1 second' AS t
  ) AS ht
) AS r;

-- Ratings: the k-th rating of product i is by user (b0 + k*step) mod 1000. Stars: a per-product
-- quality bias of -15..+15 shifts a 1:4% 2:6% 3:14% 4:31% 5:45% split.
INSERT INTO ratings (id, created_at, updated_at, stars, product_id, user_id)
SELECT 8589934592 - 1 + row_number() OVER (ORDER BY created_at, product_id, user_id),
       created_at,
       created_at + CASE WHEN y % 6 = 0 THEN ((y >> 30) % 7776000) * interval '1 second'
                         ELSE interval '0' END,
       CASE WHEN q < 4 THEN 1 WHEN q < 10 THEN 2 WHEN q < 24 THEN 3 WHEN q < 55 THEN 4
            ELSE 5 END,
       product_id,
       user_id
FROM (
  SELECT 4294967296 + c.i AS product_id,
         17179869184 + ((c.x >> 20) % 1000 + k * (ARRAY[1, 3, 7, 9, 11, 13, 17, 19, 21, 23,
                                                   27, 29, 31, 33, 37, 39])[1 + (c.x >> 30) % 16])
                       % 1000 AS user_id,
         y,
         greatest(0, least(99, (y >> 8) % 100 + (c.x >> 40) % 31 - 15)) AS q,
         timestamptz '2026-11-01 00:00:00+00' - (y >> 16) % 47347200 * interval '1 second'
           AS created_at
  FROM (
    SELECT c.i, c.x, k, pg_temp.h('rating:' || c.i || ':' || k) AS y
    FROM bench_counts AS c
    CROSS JOIN LATERAL generate_series(0, c.n_ratings - 1) AS k
    OFFSET 0
  ) AS c
) AS r;

DO $$
DECLARE d record;
BEGIN
  FOR d IN SELECT create_stmt FROM bench_ddl ORDER BY pass LOOP
    EXECUTE d.create_stmt;
  END LOOP;
END
$$;

-- Sanity checks the schema cannot express (the database enforces the rest).
DO $$
BEGIN
  IF (SELECT count(*) FROM categories) <> 100 OR (SELECT count(*) FROM products) <> 10000
     OR (SELECT count(*) FROM users) <> 1000 OR (SELECT count(*) FROM reviews) <> 200000
     OR (SELECT count(*) FROM ratings) <> 500000 THEN
    RAISE EXCEPTION 'bench/large.sql: unexpected row counts';
  END IF;
  IF EXISTS (SELECT 1 FROM products WHERE slug !~ '^[a-z0-9]+(-[a-z0-9]+)*$')
     OR EXISTS (SELECT 1 FROM categories WHERE slug !~ '^[a-z0-9]+(-[a-z0-9]+)*$') THEN
    RAISE EXCEPTION 'bench/large.sql: a slug does not match ^[a-z0-9]+(-[a-z0-9]+)*$';
  END IF;
  IF EXISTS (SELECT 1 FROM reviews WHERE length(title) > 200 OR body = '' OR length(body) > 10000)
     OR EXISTS (SELECT 1 FROM products WHERE currency !~ '^[A-Z]{3}$' OR price > 2147483647
                OR length(name) > 200 OR length(sku) > 64) THEN
    RAISE EXCEPTION 'bench/large.sql: a value breaks a field validator of ent/schema';
  END IF;
END
$$;

-- Move every identity sequence past the loaded ids (setval works on identity sequences too).
SELECT setval(pg_get_serial_sequence('categories', 'id'), max(id)) FROM categories;
SELECT setval(pg_get_serial_sequence('products', 'id'), max(id)) FROM products;
SELECT setval(pg_get_serial_sequence('users', 'id'), max(id)) FROM users;
SELECT setval(pg_get_serial_sequence('reviews', 'id'), max(id)) FROM reviews;
SELECT setval(pg_get_serial_sequence('ratings', 'id'), max(id)) FROM ratings;

COMMIT;

VACUUM (ANALYZE) categories, products, users, reviews, ratings;
