package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
)

// revisionsTable records the migrations a database has run, with the columns of the Atlas CLI's
// table of the same name.
const revisionsTable = "atlas_schema_revisions"

// revisions is Atlas's RevisionReadWriter on the revisions table, through the transaction (or
// connection) the migration runs on, so a file's statements and its record commit together.
type revisions struct {
	q       execQuerier
	dialect string
}

var _ migrate.RevisionReadWriter = (*revisions)(nil)

func (r *revisions) create(ctx context.Context) error {
	ddl := `CREATE TABLE IF NOT EXISTS atlas_schema_revisions (
		version character varying NOT NULL PRIMARY KEY, description character varying NOT NULL,
		type bigint NOT NULL DEFAULT 2, applied bigint NOT NULL DEFAULT 0, total bigint NOT NULL DEFAULT 0,
		executed_at timestamptz NOT NULL, execution_time bigint NOT NULL, error text NULL, error_stmt text NULL,
		hash character varying NOT NULL, partial_hashes jsonb NULL, operator_version character varying NOT NULL)`
	if r.dialect == dialect.SQLite {
		ddl = `CREATE TABLE IF NOT EXISTS atlas_schema_revisions (
		version text NOT NULL PRIMARY KEY, description text NOT NULL,
		type integer NOT NULL DEFAULT 2, applied integer NOT NULL DEFAULT 0, total integer NOT NULL DEFAULT 0,
		executed_at datetime NOT NULL, execution_time integer NOT NULL, error text NULL, error_stmt text NULL,
		hash text NOT NULL, partial_hashes json NULL, operator_version text NOT NULL)`
	}
	_, err := r.q.ExecContext(ctx, ddl)
	return err
}

// Ident names the table, which Atlas leaves out when it checks that a database is clean.
func (r *revisions) Ident() *migrate.TableIdent {
	return &migrate.TableIdent{Name: revisionsTable}
}

const revisionColumns = `version, description, type, applied, total, executed_at, execution_time,
	error, error_stmt, hash, partial_hashes, operator_version`

// ReadRevisions returns every revision in version order.
func (r *revisions) ReadRevisions(ctx context.Context) ([]*migrate.Revision, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+revisionColumns+` FROM atlas_schema_revisions ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*migrate.Revision
	for rows.Next() {
		rev, err := scanRevision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rev)
	}
	return out, rows.Err()
}

// ReadRevision returns the revision of a version, or migrate.ErrRevisionNotExist.
func (r *revisions) ReadRevision(ctx context.Context, version string) (*migrate.Revision, error) {
	rows, err := r.q.QueryContext(ctx, placeholders(r.dialect, `SELECT `+revisionColumns+` FROM atlas_schema_revisions WHERE version = ?`), version)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, migrate.ErrRevisionNotExist
	}
	return scanRevision(rows)
}

// WriteRevision inserts or updates a revision.
func (r *revisions) WriteRevision(ctx context.Context, rev *migrate.Revision) error {
	hashes, err := json.Marshal(rev.PartialHashes)
	if err != nil {
		return err
	}
	_, err = r.q.ExecContext(ctx, placeholders(r.dialect, `INSERT INTO atlas_schema_revisions (`+revisionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (version) DO UPDATE SET description = excluded.description, type = excluded.type,
			applied = excluded.applied, total = excluded.total, executed_at = excluded.executed_at,
			execution_time = excluded.execution_time, error = excluded.error, error_stmt = excluded.error_stmt,
			hash = excluded.hash, partial_hashes = excluded.partial_hashes, operator_version = excluded.operator_version`),
		rev.Version, rev.Description, int64(rev.Type), rev.Applied, rev.Total, rev.ExecutedAt.UTC(),
		int64(rev.ExecutionTime), nullString(rev.Error), nullString(rev.ErrorStmt), rev.Hash, string(hashes),
		rev.OperatorVersion)
	return err
}

// DeleteRevision deletes the revision of a version.
func (r *revisions) DeleteRevision(ctx context.Context, version string) error {
	_, err := r.q.ExecContext(ctx, placeholders(r.dialect, `DELETE FROM atlas_schema_revisions WHERE version = ?`), version)
	return err
}

func scanRevision(rows *sql.Rows) (*migrate.Revision, error) {
	var (
		rev             migrate.Revision
		typ, execTime   int64
		errMsg, errStmt sql.NullString
		hashes          sql.NullString
	)
	if err := rows.Scan(&rev.Version, &rev.Description, &typ, &rev.Applied, &rev.Total, &rev.ExecutedAt,
		&execTime, &errMsg, &errStmt, &rev.Hash, &hashes, &rev.OperatorVersion); err != nil {
		return nil, err
	}
	rev.Type, rev.ExecutionTime = migrate.RevisionType(typ), time.Duration(execTime)
	rev.Error, rev.ErrorStmt = errMsg.String, errStmt.String
	if hashes.Valid && hashes.String != "null" {
		if err := json.Unmarshal([]byte(hashes.String), &rev.PartialHashes); err != nil {
			return nil, errors.Join(errors.New("revision "+rev.Version+": partial_hashes"), err)
		}
	}
	return &rev, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
