// Package sqlhook runs a function around every SQL statement an ent driver executes — ent's
// generated queries, raw SQL through client.QueryContext/ExecContext, and both inside
// transactions — so per-request statement counts and trace spans need one wrapper each
// instead of one copy of ent's driver surface each.
package sqlhook

import (
	"context"
	"database/sql"
	"fmt"

	"entgo.io/ent/dialect"
)

// Hook runs around one statement. It is called before the statement with its context and
// text and returns the context to run it with and a function that receives the statement's
// error once it has run. For queries, "run" ends when the rows are available, before they
// are read.
type Hook func(ctx context.Context, query string) (context.Context, func(error))

// Wrap returns d with h around each of its statements.
func Wrap(d dialect.Driver, h Hook) dialect.Driver { return driver{Driver: d, hook: h} }

type driver struct {
	dialect.Driver
	hook Hook
}

type rawQuerier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

type rawExecer interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}

func (d driver) Exec(ctx context.Context, query string, args, v any) error {
	ctx, done := d.hook(ctx, query)
	err := d.Driver.Exec(ctx, query, args, v)
	done(err)
	return err
}

func (d driver) Query(ctx context.Context, query string, args, v any) error {
	ctx, done := d.hook(ctx, query)
	err := d.Driver.Query(ctx, query, args, v)
	done(err)
	return err
}

// QueryContext runs raw SQL (ent's client.QueryContext reaches it).
func (d driver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return queryContext(ctx, d.hook, d.Driver, query, args)
}

// ExecContext runs raw SQL (ent's client.ExecContext reaches it).
func (d driver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return execContext(ctx, d.hook, d.Driver, query, args)
}

func (d driver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return txDriver{Tx: tx, hook: d.hook}, nil
}

// BeginTx keeps transaction options (isolation levels, read-only) working through the wrapper.
func (d driver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return d.Tx(ctx)
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return txDriver{Tx: tx, hook: d.hook}, nil
}

type txDriver struct {
	dialect.Tx
	hook Hook
}

func (t txDriver) Exec(ctx context.Context, query string, args, v any) error {
	ctx, done := t.hook(ctx, query)
	err := t.Tx.Exec(ctx, query, args, v)
	done(err)
	return err
}

func (t txDriver) Query(ctx context.Context, query string, args, v any) error {
	ctx, done := t.hook(ctx, query)
	err := t.Tx.Query(ctx, query, args, v)
	done(err)
	return err
}

// QueryContext runs raw SQL inside the transaction.
func (t txDriver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return queryContext(ctx, t.hook, t.Tx, query, args)
}

// ExecContext runs raw SQL inside the transaction.
func (t txDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return execContext(ctx, t.hook, t.Tx, query, args)
}

func queryContext(ctx context.Context, h Hook, inner any, query string, args []any) (*sql.Rows, error) {
	q, ok := inner.(rawQuerier)
	if !ok {
		return nil, fmt.Errorf("sqlhook: %T has no QueryContext", inner)
	}
	ctx, done := h(ctx, query)
	rows, err := q.QueryContext(ctx, query, args...)
	done(err)
	return rows, err
}

func execContext(ctx context.Context, h Hook, inner any, query string, args []any) (sql.Result, error) {
	e, ok := inner.(rawExecer)
	if !ok {
		return nil, fmt.Errorf("sqlhook: %T has no ExecContext", inner)
	}
	ctx, done := h(ctx, query)
	res, err := e.ExecContext(ctx, query, args...)
	done(err)
	return res, err
}
