// Package sqlcount counts SQL statements at the ent driver. Driver counts (and can record)
// every statement for tests that pin a request's statement count to the query's shape;
// PerRequest counts each request's statements in production (a Counter in its context) for
// the request log and metrics.
package sqlcount

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"

	"entgo.io/ent/dialect"

	"github.com/vitrinehq/vitrine/internal/sqlhook"
)

// Driver counts statements run through it (raw SQL and transactions included) and,
// optionally, records their text.
type Driver struct {
	// Driver is the wrapped driver with the counting hook (sqlhook).
	dialect.Driver
	n      atomic.Int64
	txs    atomic.Int64
	mu     sync.Mutex
	record bool
	stmts  []string
}

// Wrap returns a counting driver around d.
func Wrap(d dialect.Driver) *Driver {
	c := &Driver{}
	c.Driver = sqlhook.Wrap(d, func(ctx context.Context, query string) (context.Context, func(error)) {
		c.note(query)
		return ctx, nothing
	})
	return c
}

// Count returns the number of statements since the last Reset.
func (d *Driver) Count() int { return int(d.n.Load()) }

// Transactions returns the number of transactions begun since the last Reset.
func (d *Driver) Transactions() int { return int(d.txs.Load()) }

// Reset zeroes the counts and starts or stops recording statement text.
func (d *Driver) Reset(record bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.n.Store(0)
	d.txs.Store(0)
	d.record, d.stmts = record, nil
}

// Statements returns the recorded statements since the last Reset(true).
func (d *Driver) Statements() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.stmts...)
}

func (d *Driver) note(query string) {
	d.n.Add(1)
	d.mu.Lock()
	if d.record {
		d.stmts = append(d.stmts, query)
	}
	d.mu.Unlock()
}

// The methods below are the hooked driver's; an embedded interface does not promote them.

// QueryContext counts and runs raw SQL (ent's client.QueryContext reaches it).
func (d *Driver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.Driver.(interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}).QueryContext(ctx, query, args...)
}

// ExecContext counts and runs raw SQL (ent's client.ExecContext reaches it).
func (d *Driver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.Driver.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}).ExecContext(ctx, query, args...)
}

// Tx starts a transaction, counted, whose statements are counted too.
func (d *Driver) Tx(ctx context.Context) (dialect.Tx, error) {
	d.txs.Add(1)
	return d.Driver.Tx(ctx)
}

// BeginTx starts a transaction, with its options, counted, whose statements are counted too.
func (d *Driver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	d.txs.Add(1)
	return d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	}).BeginTx(ctx, opts)
}
