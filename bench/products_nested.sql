-- bench/products_nested.sql: the hand-written SQL equivalent of bench/products_nested.graphql
-- (first 50 products with category + parent, price, rating summary, review count and the 10
-- newest reviews with their authors), as ONE statement returning ONE json value shaped exactly
-- like the GraphQL response's "data" (same opaque IDs, money strings, RFC 3339 times), so the
-- two can be compared with `jq -S` and the database does all the work the gateway does.
-- This is the "physical limit" for the query: pgbench runs it with -M prepared.
--
-- Access paths (existing indexes only): products_pkey for the first page; categories_pkey for
-- category and parent; per product, an index-only count on review_product_id_created_at, a
-- backward scan of review_product_id_created_at (+ incremental sort on id for equal
-- timestamps) stopped after 10 rows, users_pkey per review (a correlated subquery, so the
-- planner cannot pick a hash join over all users), and rating_product_id_user_id for
-- the rating aggregate. Assumes a 2-decimal currency (the benchmark data is all USD).
-- IDs: base64url('v1:' || id) without padding, as internal/relay encodes them. Times: RFC 3339
-- in UTC with trailing zeros of the fraction dropped, as Go's time.RFC3339Nano prints them.
-- (Never a colon directly before a letter, not even in comments: pgbench reads that as a
-- variable reference; hence the quoted colons in the time format.)
SELECT json_build_object('products', json_build_object('edges', coalesce(json_agg(
         json_build_object('node', json_build_object(
           'id', translate(rtrim(encode(('v1:' || p.id)::bytea, 'base64'), '='), '+/', '-_'),
           'name', p.name,
           'slug', p.slug,
           'price', json_build_object(
             'amount', (p.price / 100) || '.' || lpad((p.price % 100)::text, 2, '0'),
             'currencyCode', p.currency),
           'category', json_build_object(
             'id', translate(rtrim(encode(('v1:' || c.id)::bytea, 'base64'), '='), '+/', '-_'),
             'name', c.name,
             'parent', CASE WHEN pc.id IS NOT NULL THEN json_build_object(
               'id', translate(rtrim(encode(('v1:' || pc.id)::bytea, 'base64'), '='), '+/', '-_'),
               'name', pc.name) END),
           'ratingSummary', json_build_object(
             'average', rs.stars::float8 / nullif(rs.n, 0),
             'count', rs.n,
             'distribution', json_build_array(rs.s1, rs.s2, rs.s3, rs.s4, rs.s5)),
           'reviewCount', rc.n,
           'reviews', json_build_object('edges', rv.edges)))
         ORDER BY p.id), '[]')))
FROM (SELECT id, name, slug, price, currency, category_id
      FROM products ORDER BY id LIMIT 50) AS p
JOIN categories AS c ON c.id = p.category_id
LEFT JOIN categories AS pc ON pc.id = c.parent_id
CROSS JOIN LATERAL (
  SELECT count(*) AS n, sum(stars) AS stars,
         count(*) FILTER (WHERE stars = 1) AS s1, count(*) FILTER (WHERE stars = 2) AS s2,
         count(*) FILTER (WHERE stars = 3) AS s3, count(*) FILTER (WHERE stars = 4) AS s4,
         count(*) FILTER (WHERE stars = 5) AS s5
  FROM ratings WHERE product_id = p.id) AS rs
CROSS JOIN LATERAL (SELECT count(*) AS n FROM reviews WHERE product_id = p.id) AS rc
CROSS JOIN LATERAL (
  SELECT coalesce(json_agg(json_build_object('node', json_build_object(
           'id', translate(rtrim(encode(('v1:' || r.id)::bytea, 'base64'), '='), '+/', '-_'),
           'title', r.title,
           'body', r.body,
           'createdAt', rtrim(rtrim(to_char(r.created_at AT TIME ZONE 'UTC',
                                             'YYYY-MM-DD"T"HH24":"MI":"SS.US'), '0'), '.') || 'Z',
           'author', (SELECT json_build_object(
             'id', translate(rtrim(encode(('v1:' || u.id)::bytea, 'base64'), '='), '+/', '-_'),
             'displayName', u.display_name) FROM users AS u WHERE u.id = r.author_id)))
         ORDER BY r.created_at DESC, r.id DESC), '[]') AS edges
  FROM (SELECT id, title, body, created_at, author_id
        FROM reviews WHERE product_id = p.id
        ORDER BY created_at DESC, id DESC LIMIT 10) AS r) AS rv;
