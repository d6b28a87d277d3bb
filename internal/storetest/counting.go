package storetest

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"

	"entgo.io/ent/dialect"

	"github.com/vitrinehq/vitrine/internal/sqlhook"
)

// CountingDriver counts statements run through it (raw SQL and transactions included) and,
// optionally, records their text, for tests that pin a request's statement count to the
// query's shape.
type CountingDriver struct {
	// Driver is the wrapped driver with the counting hook (sqlhook).
	dialect.Driver
	n      atomic.Int64
	txs    atomic.Int64
	mu     sync.Mutex
	record bool
	stmts  []string
}

// CountStatements returns a counting driver around d.
func CountStatements(d dialect.Driver) *CountingDriver {
	c := &CountingDriver{}
	c.Driver = sqlhook.Wrap(d, func(ctx context.Context, query string) (context.Context, func(error)) {
		c.note(query)
		return ctx, func(error) {}
	})
	return c
}

// Count returns the number of statements since the last Reset.
func (d *CountingDriver) Count() int { return int(d.n.Load()) }

// Transactions returns the number of transactions begun since the last Reset.
func (d *CountingDriver) Transactions() int { return int(d.txs.Load()) }

// Reset zeroes the counts and starts or stops recording statement text.
func (d *CountingDriver) Reset(record bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.n.Store(0)
	d.txs.Store(0)
	d.record, d.stmts = record, nil
}

// Statements returns the recorded statements since the last Reset(true).
func (d *CountingDriver) Statements() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.stmts...)
}

func (d *CountingDriver) note(query string) {
	d.n.Add(1)
	d.mu.Lock()
	if d.record {
		d.stmts = append(d.stmts, query)
	}
	d.mu.Unlock()
}

// The methods below are the hooked driver's; an embedded interface does not promote them.

// QueryContext counts and runs raw SQL (ent's client.QueryContext reaches it).
func (d *CountingDriver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.Driver.(interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}).QueryContext(ctx, query, args...)
}

// ExecContext counts and runs raw SQL (ent's client.ExecContext reaches it).
func (d *CountingDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.Driver.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}).ExecContext(ctx, query, args...)
}

// Tx starts a transaction, counted, whose statements are counted too.
func (d *CountingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	d.txs.Add(1)
	return d.Driver.Tx(ctx)
}

// BeginTx starts a transaction, with its options, counted, whose statements are counted too.
func (d *CountingDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	d.txs.Add(1)
	return d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	}).BeginTx(ctx, opts)
}
