package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"
	"entgo.io/ent/dialect"
)

// Releases up to d5c6c29 had no migration history: every start ran ent's Schema.Create and then
// idempotent DDL, so every database they served holds exactly the schema that the migration
// files up to adoptVersion build. Such a database is adopted: once its schema is shown to be that
// one, a baseline revision marks those files as applied, and the later ones run as usual.
var adoptVersion = map[string]string{
	dialect.Postgres: "20261201191826", // baseline, search, counters, rollups
	dialect.SQLite:   "20261201191825", // baseline, search, counters
}

// adoptCheckSchema is where, on Postgres, the baseline is built for comparison, inside a
// savepoint that is rolled back.
const adoptCheckSchema = "vitrine_adopt_check"

// adopt records the baseline revision in a database that an earlier release migrated
// automatically, after checking that its schema is the baseline's: the same tables, columns,
// indexes and foreign keys as Atlas inspects them, and the same triggers and functions.
func adopt(ctx context.Context, tx *sql.Tx, name string, dir migrate.Dir, rrw *revisions) error {
	version := adoptVersion[name]
	all, err := dir.Files()
	if err != nil {
		return err
	}
	last := slices.IndexFunc(all, func(f migrate.File) bool { return f.Version() == version })
	if last < 0 {
		return fmt.Errorf("adopt: no migration file of version %s", version)
	}
	files := all[:last+1]
	var have, want *shape
	if name == dialect.Postgres {
		have, want, err = postgresShapes(ctx, tx, files)
	} else {
		have, want, err = sqliteShapes(ctx, tx, files)
	}
	if err != nil {
		return fmt.Errorf("adopt: compare with the baseline: %w", err)
	}
	if diffs := have.diff(ctx, want); len(diffs) > 0 {
		return fmt.Errorf("the database has Vitrine's tables but no migration history, and its schema is not "+
			"the one the last release without versioned migrations (d5c6c29) kept; migrate it with the release "+
			"that created it first, or fix it by hand. To match, it needs:\n  %s", strings.Join(diffs, "\n  "))
	}
	return rrw.WriteRevision(ctx, &migrate.Revision{
		Version:         version,
		Description:     files[last].Desc(),
		Type:            migrate.RevisionTypeBaseline,
		ExecutedAt:      time.Now(),
		OperatorVersion: "vitrine (adopted)",
	})
}

// shape is what adopt compares: the schema as Atlas inspects it, and the names of the objects
// it does not inspect.
type shape struct {
	drv     migrate.Driver
	schema  *schema.Schema
	objects []string // triggers and functions
}

// diff lists what have lacks or has beyond want, as the statements that would make it match.
func (have *shape) diff(ctx context.Context, want *shape) []string {
	var out []string
	want.schema.Name = have.schema.Name // the comparison copy lives elsewhere (another schema or database)
	changes, err := have.drv.SchemaDiff(have.schema, want.schema)
	if err != nil {
		return []string{err.Error()}
	}
	if len(changes) > 0 {
		plan, err := have.drv.PlanChanges(ctx, "adopt", changes, func(o *migrate.PlanOptions) {
			o.SchemaQualifier = new(string)
		})
		if err != nil {
			return []string{fmt.Sprintf("%d schema changes (%v)", len(changes), err)}
		}
		for _, c := range plan.Changes {
			out = append(out, c.Cmd)
		}
	}
	for _, o := range want.objects {
		if !slices.Contains(have.objects, o) {
			out = append(out, "create "+o)
		}
	}
	for _, o := range have.objects {
		if !slices.Contains(want.objects, o) {
			out = append(out, "drop "+o)
		}
	}
	return out
}

var inspectLive = &schema.InspectOptions{Exclude: []string{revisionsTable}}

// postgresShapes builds the baseline in a scratch schema of the same transaction, inspects it
// and the live one, and rolls the scratch schema back.
func postgresShapes(ctx context.Context, tx *sql.Tx, files []migrate.File) (have, want *shape, err error) {
	var current string
	if err := tx.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&current); err != nil {
		return nil, nil, err
	}
	drv, err := postgres.Open(tx)
	if err != nil {
		return nil, nil, err
	}
	have = &shape{drv: drv}
	if have.schema, err = drv.InspectSchema(ctx, current, inspectLive); err != nil {
		return nil, nil, err
	}
	if have.objects, err = postgresObjects(ctx, tx, current); err != nil {
		return nil, nil, err
	}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT vitrine_adopt`); err != nil {
		return nil, nil, err
	}
	// Rolling back to the savepoint also undoes SET LOCAL.
	defer func() {
		if _, rbErr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT vitrine_adopt`); rbErr != nil {
			err = errors.Join(err, rbErr)
		}
	}()
	for _, stmt := range []string{`CREATE SCHEMA ` + adoptCheckSchema, `SET LOCAL search_path TO ` + adoptCheckSchema} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return nil, nil, err
		}
	}
	if err := runFiles(ctx, tx, drv, files); err != nil {
		return nil, nil, err
	}
	want = &shape{drv: drv}
	if want.schema, err = drv.InspectSchema(ctx, adoptCheckSchema, nil); err != nil {
		return nil, nil, err
	}
	if want.objects, err = postgresObjects(ctx, tx, adoptCheckSchema); err != nil {
		return nil, nil, err
	}
	return have, want, nil
}

func postgresObjects(ctx context.Context, tx *sql.Tx, namespace string) ([]string, error) {
	return strings1(ctx, tx, `
		SELECT 'trigger ' || t.tgname || ' on ' || c.relname FROM pg_trigger t
		JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE NOT t.tgisinternal AND n.nspname = $1
		UNION ALL
		SELECT 'function ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = $1 -- not the functions of extensions installed there:
			AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
		ORDER BY 1`, namespace)
}

// sqliteShapes builds the baseline in a private in-memory database.
func sqliteShapes(ctx context.Context, tx *sql.Tx, files []migrate.File) (have, want *shape, err error) {
	drv, err := sqlite.Open(tx)
	if err != nil {
		return nil, nil, err
	}
	have = &shape{drv: drv}
	if have.schema, err = drv.InspectSchema(ctx, "main", inspectLive); err != nil {
		return nil, nil, err
	}
	if have.objects, err = sqliteObjects(ctx, tx); err != nil {
		return nil, nil, err
	}
	mem, err := sql.Open("sqlite", "file:adopt?mode=memory&_pragma=foreign_keys(1)")
	if err != nil {
		return nil, nil, err
	}
	defer mem.Close()
	mem.SetMaxOpenConns(1) // each connection to a memory database is another database
	memDrv, err := sqlite.Open(mem)
	if err != nil {
		return nil, nil, err
	}
	if err := runFiles(ctx, mem, memDrv, files); err != nil {
		return nil, nil, err
	}
	want = &shape{drv: memDrv}
	if want.schema, err = memDrv.InspectSchema(ctx, "main", nil); err != nil {
		return nil, nil, err
	}
	if want.objects, err = sqliteObjects(ctx, mem); err != nil {
		return nil, nil, err
	}
	return have, want, nil
}

func sqliteObjects(ctx context.Context, q execQuerier) ([]string, error) {
	return strings1(ctx, q, `SELECT 'trigger ' || name || ' on ' || tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY 1`)
}

// runFiles executes the statements of files, split the way the dialect's Atlas driver splits them.
func runFiles(ctx context.Context, q execQuerier, drv migrate.Driver, files []migrate.File) error {
	for _, f := range files {
		stmts, err := migrate.FileStmts(drv, f)
		if err != nil {
			return err
		}
		for _, s := range stmts {
			if _, err := q.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", f.Name(), err)
			}
		}
	}
	return nil
}

// strings1 returns the first column of a query's rows.
func strings1(ctx context.Context, q execQuerier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
