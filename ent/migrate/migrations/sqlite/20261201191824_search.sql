-- Hand-written: full-text search, which ent cannot describe. An external-content FTS5 table
-- kept in step with products by triggers.
--
-- SQLite rebuilds a table to change it, which drops its triggers: a later migration that
-- rebuilds products must create these triggers again and end with
-- INSERT INTO products_fts(products_fts) VALUES ('rebuild'). TestMigrationsKeepTriggers checks.
CREATE VIRTUAL TABLE products_fts USING fts5(
	name, description, content='products', content_rowid='id', tokenize='porter unicode61');
CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
	INSERT INTO products_fts(rowid, name, description) VALUES (new.id, new.name, new.description);
END;
CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
	INSERT INTO products_fts(products_fts, rowid, name, description)
	VALUES ('delete', old.id, old.name, old.description);
END;
CREATE TRIGGER products_fts_update AFTER UPDATE OF name, description ON products BEGIN
	INSERT INTO products_fts(products_fts, rowid, name, description)
	VALUES ('delete', old.id, old.name, old.description);
	INSERT INTO products_fts(rowid, name, description) VALUES (new.id, new.name, new.description);
END;
