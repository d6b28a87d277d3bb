package store

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect"
)

// Migrate creates or upgrades the schema: ent's tables, then the full-text search structures
// ent cannot describe. It is idempotent and safe to run on every start.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.Client.Schema.Create(ctx); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	stmts := postgresSearchDDL
	if s.Dialect == dialect.SQLite {
		stmts = sqliteSearchDDL
	}
	for _, stmt := range stmts {
		if _, err := s.DB.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("migrate search index: %w", err)
		}
	}
	return s.migrateCounters(ctx)
}

// migrateCounters creates each counters table and its triggers, and fills the counters when
// the table is new — in one transaction, so no change slips between the rebuild and the
// triggers.
func (s *Store) migrateCounters(ctx context.Context) error {
	for _, set := range counterSets {
		if err := s.migrateCounterSet(ctx, set); err != nil {
			return fmt.Errorf("migrate %s: %w", set.table, err)
		}
	}
	return nil
}

func (s *Store) migrateCounterSet(ctx context.Context, set counterSet) error {
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	probe := `SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = '` + set.table + `')`
	ddl := set.postgres
	if s.Dialect == dialect.SQLite {
		probe = `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '` + set.table + `')`
		ddl = set.sqlite
	}
	var existed bool
	if err := tx.QueryRowContext(ctx, probe).Scan(&existed); err != nil {
		return err
	}
	for _, stmt := range ddl {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	if !existed {
		if _, err := tx.ExecContext(ctx, set.rebuild); err != nil {
			return fmt.Errorf("rebuild: %w", err)
		}
	}
	return tx.Commit()
}

// Postgres keeps a weighted tsvector in a generated column (names weigh more than descriptions)
// with a GIN index, so search never scans the table.
var postgresSearchDDL = []string{
	`ALTER TABLE products ADD COLUMN IF NOT EXISTS search_vector tsvector
		GENERATED ALWAYS AS (
			setweight(to_tsvector('english', coalesce(name, '')), 'A') ||
			setweight(to_tsvector('english', coalesce(description, '')), 'B')
		) STORED`,
	`CREATE INDEX IF NOT EXISTS products_search_vector_idx ON products USING GIN (search_vector)`,
}

// SQLite uses an external-content FTS5 table kept in step by triggers. The final rebuild
// re-syncs the index in case a schema change recreated the products table (and its triggers).
var sqliteSearchDDL = []string{
	`CREATE VIRTUAL TABLE IF NOT EXISTS products_fts USING fts5(
		name, description, content='products', content_rowid='id', tokenize='porter unicode61')`,
	`CREATE TRIGGER IF NOT EXISTS products_fts_insert AFTER INSERT ON products BEGIN
		INSERT INTO products_fts(rowid, name, description) VALUES (new.id, new.name, new.description);
	END`,
	`CREATE TRIGGER IF NOT EXISTS products_fts_delete AFTER DELETE ON products BEGIN
		INSERT INTO products_fts(products_fts, rowid, name, description)
		VALUES ('delete', old.id, old.name, old.description);
	END`,
	`CREATE TRIGGER IF NOT EXISTS products_fts_update AFTER UPDATE OF name, description ON products BEGIN
		INSERT INTO products_fts(products_fts, rowid, name, description)
		VALUES ('delete', old.id, old.name, old.description);
		INSERT INTO products_fts(rowid, name, description) VALUES (new.id, new.name, new.description);
	END`,
	`INSERT INTO products_fts(products_fts) VALUES ('rebuild')`,
}
