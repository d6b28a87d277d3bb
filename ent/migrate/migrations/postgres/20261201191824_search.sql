-- Hand-written: full-text search, which ent cannot describe. A weighted tsvector in a generated
-- column (names weigh more than descriptions) with a GIN index, so search never scans the table.
ALTER TABLE products ADD COLUMN search_vector tsvector
	GENERATED ALWAYS AS (
		setweight(to_tsvector('english', coalesce(name, '')), 'A') ||
		setweight(to_tsvector('english', coalesce(description, '')), 'B')
	) STORED;
CREATE INDEX products_search_vector_idx ON products USING GIN (search_vector);
