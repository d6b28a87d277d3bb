package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/sqlite"
	"entgo.io/ent/dialect"

	"github.com/vitrinehq/vitrine/ent/migrate/migrations"
)

// The schema is versioned: ent/migrate/migrations holds one Atlas migration directory per
// dialect, embedded in the binary, and the atlas_schema_revisions table records which files a
// database has run. Everything ent cannot describe (full-text search, counters, rollups and their
// triggers) is in hand-written files of the same history, so "the schema is outdated" has one
// meaning: a file has not run. Files are applied with Atlas's executor (which checks atlas.sum
// and records each file), one transaction per file, under a Postgres advisory lock so that
// concurrent `vitrine migrate` runs and replicas starting together apply each file once.
//
// Why hand-written files rather than idempotent DDL after ent's files: one version number says
// everything about a schema (the outdated check and adoption compare one thing), and changes
// that re-running DDL on every start cannot express (moving data, dropping what is obsolete,
// re-creating triggers after SQLite rebuilds a table) have an ordered place to live.
//
// Why Atlas's executor rather than golang-migrate: it is ent's own tool and already a dependency,
// it verifies atlas.sum before running anything, and it splits files the way each database
// parses them (Postgres dollar quotes, SQLite BEGIN … END trigger bodies). What
// the library leaves to its caller (a revision table, transactions, locking) is this file and
// revisions.go; golang-migrate would add a second file format, no integrity file, and a "dirty"
// flag that an operator must clear by hand after a failure.

// migrateLockKey is the Postgres advisory lock held while migrating ("vitrine" in ASCII).
const migrateLockKey = 0x7669747269_6e65

// Migration is one migration file, and when it ran if it did.
type Migration struct {
	Version     string
	Description string
	// Applied is when the file ran; zero while pending, and for files adopted from a database
	// that an earlier release migrated automatically.
	Applied sql.NullTime
}

// SchemaStatus says where a database's schema stands against this binary's migrations.
type SchemaStatus struct {
	Dialect string
	// Current is the version of the last migration the database has run ("" for none).
	Current string
	// Latest is the version of this binary's last migration.
	Latest  string
	Applied []Migration
	Pending []Migration
	// Unversioned is set when the database has Vitrine's tables but no migration history: an
	// earlier release created it with automatic migration. Migrate adopts it.
	Unversioned bool
}

// UpToDate reports whether no migration is pending.
func (s SchemaStatus) UpToDate() bool { return len(s.Pending) == 0 }

// OutdatedError is returned by CheckSchema when migrations are pending.
type OutdatedError struct{ Status SchemaStatus }

func (e *OutdatedError) Error() string {
	s := e.Status
	switch {
	case s.Unversioned:
		return fmt.Sprintf("database schema was created by an earlier release's automatic migration, this binary needs version %s", s.Latest)
	case s.Current == "":
		return fmt.Sprintf("database schema is empty, this binary needs version %s", s.Latest)
	}
	return fmt.Sprintf("database schema is at version %s, this binary needs %s", s.Current, s.Latest)
}

// Migrate applies the pending migrations, first adopting a database that an earlier release
// migrated automatically (see adopt). It is safe to run concurrently and on every start.
func (s *Store) Migrate(ctx context.Context) error {
	dir, err := migrations.Dir(s.Dialect)
	if err != nil {
		return err
	}
	// One session for everything: it holds the lock, and on SQLite the foreign_keys setting.
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if s.Dialect == dialect.Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
			return fmt.Errorf("migrate: take the migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockKey) //nolint:errcheck // the session's end releases it too
	} else {
		// SQLite changes a table by copying it and dropping the original, which with foreign
		// keys on would cascade the drop to the referencing rows. Its documented procedure is
		// to turn them off outside the transaction and check them before committing (step).
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return err
		}
		defer func() {
			if _, err := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); err != nil {
				// Never hand a connection without foreign keys back to the pool.
				conn.Raw(func(any) error { return driver.ErrBadConn }) //nolint:errcheck // discards it
			}
		}()
	}
	for {
		done, err := s.step(ctx, conn, dir)
		if err != nil {
			return fmt.Errorf("migrate %s schema: %w", s.Dialect, err)
		}
		if done {
			return nil
		}
	}
}

// step runs the next pending migration file in a transaction of its own, reading the history
// inside it, so a concurrent migrator that got there first is seen. It reports whether nothing
// was left to do.
func (s *Store) step(ctx context.Context, conn *sql.Conn, dir migrate.Dir) (done bool, err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	rrw := &revisions{q: tx, dialect: s.Dialect}
	if err := rrw.create(ctx); err != nil {
		return false, err
	}
	revs, err := rrw.ReadRevisions(ctx)
	if err != nil {
		return false, err
	}
	if err := checkHistory(dir, revs); err != nil {
		return false, err
	}
	if len(revs) == 0 {
		unversioned, err := hasTable(ctx, tx, s.Dialect, "products")
		if err != nil {
			return false, err
		}
		if unversioned {
			if err := adopt(ctx, tx, s.Dialect, dir, rrw); err != nil {
				return false, err
			}
			return false, tx.Commit()
		}
	}
	ex, err := executor(tx, s.Dialect, dir, rrw)
	if err != nil {
		return false, err
	}
	pending, err := ex.Pending(ctx)
	if errors.Is(err, migrate.ErrNoPendingFiles) {
		return true, tx.Commit()
	}
	if err != nil {
		return false, err
	}
	// Every file runs in a transaction; a statement that refuses one (CREATE INDEX
	// CONCURRENTLY) fails loudly rather than half-applying a file.
	file := pending[0]
	if err := ex.Execute(ctx, file); err != nil {
		return false, err
	}
	if s.Dialect == dialect.SQLite {
		if err := foreignKeyCheck(ctx, tx); err != nil {
			return false, fmt.Errorf("%s: %w", file.Name(), err)
		}
	}
	return false, tx.Commit()
}

// checkHistory refuses a migration file whose text changed after it ran: Atlas checks
// atlas.sum against the files, but an edited file with a recomputed atlas.sum would pass, and
// databases that ran the old text would silently differ from new ones.
func checkHistory(dir migrate.Dir, revs []*migrate.Revision) error {
	sum, err := dir.Checksum()
	if err != nil {
		return err
	}
	files, err := dir.Files()
	if err != nil {
		return err
	}
	for _, r := range revs {
		if r.Hash == "" || r.Applied != r.Total { // adopted, or resumed by Atlas itself
			continue
		}
		for _, f := range files {
			if f.Version() != r.Version {
				continue
			}
			if h, err := sum.SumByName(f.Name()); err == nil && h != r.Hash {
				return fmt.Errorf("migration %s was changed after it ran on this database; restore it and put the change in a new migration", f.Name())
			}
		}
	}
	return nil
}

// executor is Atlas's migration executor working through q (a transaction or a connection).
func executor(q execQuerier, name string, dir migrate.Dir, rrw migrate.RevisionReadWriter) (*migrate.Executor, error) {
	var (
		drv migrate.Driver
		err error
	)
	if name == dialect.Postgres {
		drv, err = postgres.Open(q)
	} else {
		drv, err = sqlite.Open(q)
	}
	if err != nil {
		return nil, err
	}
	// Dirty is fine: an empty database holds the revisions table, and adopt has dealt with
	// databases of earlier releases before the executor sees them.
	return migrate.NewExecutor(drv, dir, rrw, migrate.WithAllowDirty(true), migrate.WithOperatorVersion("vitrine"))
}

func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		return fmt.Errorf("leaves a row of %s (rowid %d) referencing a missing %s", table, rowid.Int64, parent)
	}
	return rows.Err()
}

// SchemaStatus reports the applied and pending migrations without changing anything.
func (s *Store) SchemaStatus(ctx context.Context) (SchemaStatus, error) {
	st := SchemaStatus{Dialect: s.Dialect}
	dir, err := migrations.Dir(s.Dialect)
	if err != nil {
		return st, err
	}
	if err := migrate.Validate(dir); err != nil {
		return st, err
	}
	files, err := dir.Files()
	if err != nil {
		return st, err
	}
	st.Latest = files[len(files)-1].Version()
	rrw := &revisions{q: s.DB, dialect: s.Dialect}
	var revs []*migrate.Revision
	if ok, err := hasTable(ctx, s.DB, s.Dialect, revisionsTable); err != nil {
		return st, err
	} else if ok {
		if revs, err = rrw.ReadRevisions(ctx); err != nil {
			return st, err
		}
	}
	if len(revs) == 0 {
		if st.Unversioned, err = hasTable(ctx, s.DB, s.Dialect, "products"); err != nil {
			return st, err
		}
	}
	var baseline string // files up to this version were adopted, not run
	byVersion := map[string]*migrate.Revision{}
	for _, r := range revs {
		byVersion[r.Version] = r
		if r.Type == migrate.RevisionTypeBaseline {
			baseline = max(baseline, r.Version)
		}
	}
	for _, f := range files {
		m := Migration{Version: f.Version(), Description: f.Desc()}
		r := byVersion[f.Version()]
		switch {
		case f.Version() <= baseline:
			st.Applied = append(st.Applied, m)
		case r != nil && r.Applied == r.Total:
			m.Applied = sql.NullTime{Time: r.ExecutedAt, Valid: true}
			st.Applied = append(st.Applied, m)
		default:
			st.Pending = append(st.Pending, m)
		}
	}
	if len(st.Applied) > 0 {
		st.Current = st.Applied[len(st.Applied)-1].Version
	}
	for _, r := range revs {
		if r.Applied == r.Total {
			st.Current = max(st.Current, r.Version) // a newer binary may have migrated it further
		}
	}
	return st, nil
}

// CheckSchema returns an *OutdatedError when migrations are pending.
func (s *Store) CheckSchema(ctx context.Context) error {
	st, err := s.SchemaStatus(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if !st.UpToDate() {
		return &OutdatedError{Status: st}
	}
	return nil
}

// execQuerier is what Atlas and the revisions table need of a transaction or connection.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func hasTable(ctx context.Context, q execQuerier, name, table string) (bool, error) {
	probe := `SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1)`
	if name == dialect.SQLite {
		probe = `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)`
	}
	rows, err := q.QueryContext(ctx, probe, table)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	var ok bool
	if rows.Next() {
		if err := rows.Scan(&ok); err != nil {
			return false, err
		}
	}
	return ok, rows.Err()
}

// placeholders rewrites ? placeholders into Postgres's $1, $2, …
func placeholders(name, query string) string {
	if name != dialect.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
