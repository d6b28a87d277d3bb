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

// migrateCounters creates each group of aggregate tables and its triggers, and fills the
// tables when they are new — in one transaction, so no change slips between the rebuild and
// the triggers.
func (s *Store) migrateCounters(ctx context.Context) error {
	for _, set := range counterSets {
		if err := s.migrateCounterSet(ctx, set, false); err != nil {
			return fmt.Errorf("migrate %s: %w", set.tables[0], err)
		}
	}
	return nil
}

// RebuildAggregates recomputes every counter and rollup from the rows, for data loaded with
// triggers disabled (session_replication_role = replica) or repaired by hand.
func (s *Store) RebuildAggregates(ctx context.Context) error {
	for _, set := range counterSets {
		if err := s.migrateCounterSet(ctx, set, true); err != nil {
			return fmt.Errorf("rebuild %s: %w", set.tables[0], err)
		}
	}
	return nil
}

func (s *Store) migrateCounterSet(ctx context.Context, set counterSet, rebuild bool) error {
	probe := `SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = '` + set.tables[0] + `')`
	ddl := set.postgres
	if s.Dialect == dialect.SQLite {
		probe = `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '` + set.tables[0] + `')`
		ddl = set.sqlite
	}
	if len(ddl) == 0 {
		return nil
	}
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var existed bool
	if err := tx.QueryRowContext(ctx, probe).Scan(&existed); err != nil {
		return err
	}
	for _, stmt := range ddl {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	if existed && rebuild {
		for _, table := range set.tables {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table); err != nil {
				return err
			}
		}
	}
	if !existed || rebuild {
		for _, stmt := range set.rebuild {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("rebuild: %w", err)
			}
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
