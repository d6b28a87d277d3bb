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
func Wrap(d dialect.Driver, h Hook) dialect.Driver { return driver{hooked: hooked{d, h}, d: d} }

// hooked runs the hook around the statements of a driver or of one of its transactions.
type hooked struct {
	inner dialect.ExecQuerier
	hook  Hook
}

type rawQuerier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

type rawExecer interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}

func (h hooked) Exec(ctx context.Context, query string, args, v any) error {
	ctx, done := h.hook(ctx, query)
	err := h.inner.Exec(ctx, query, args, v)
	done(err)
	return err
}

func (h hooked) Query(ctx context.Context, query string, args, v any) error {
	ctx, done := h.hook(ctx, query)
	err := h.inner.Query(ctx, query, args, v)
	done(err)
	return err
}

// QueryContext runs raw SQL (ent's client.QueryContext reaches it, in transactions too).
func (h hooked) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q, ok := h.inner.(rawQuerier)
	if !ok {
		return nil, fmt.Errorf("sqlhook: %T has no QueryContext", h.inner)
	}
	ctx, done := h.hook(ctx, query)
	rows, err := q.QueryContext(ctx, query, args...)
	done(err)
	return rows, err
}

// ExecContext runs raw SQL (ent's client.ExecContext reaches it, in transactions too).
func (h hooked) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	e, ok := h.inner.(rawExecer)
	if !ok {
		return nil, fmt.Errorf("sqlhook: %T has no ExecContext", h.inner)
	}
	ctx, done := h.hook(ctx, query)
	res, err := e.ExecContext(ctx, query, args...)
	done(err)
	return res, err
}

type driver struct {
	hooked
	d dialect.Driver
}

func (d driver) Dialect() string { return d.d.Dialect() }
func (d driver) Close() error    { return d.d.Close() }

func (d driver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.d.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return txDriver{hooked: hooked{tx, d.hook}, tx: tx}, nil
}

// BeginTx keeps transaction options (isolation levels, read-only) working through the wrapper.
func (d driver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	b, ok := d.d.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return d.Tx(ctx)
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return txDriver{hooked: hooked{tx, d.hook}, tx: tx}, nil
}

type txDriver struct {
	hooked
	tx dialect.Tx
}

func (t txDriver) Commit() error   { return t.tx.Commit() }
func (t txDriver) Rollback() error { return t.tx.Rollback() }
