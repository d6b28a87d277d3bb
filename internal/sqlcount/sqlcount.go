// Package sqlcount wraps an ent driver to count the SQL statements it runs, so tests can prove
// that a GraphQL request's cost depends on the query's shape, not on how many rows it returns.
package sqlcount

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"

	"entgo.io/ent/dialect"
)

// Driver counts statements run through it and, optionally, records their text.
type Driver struct {
	dialect.Driver
	n      atomic.Int64
	mu     sync.Mutex
	record bool
	stmts  []string
}

// Wrap returns a counting driver around d.
func Wrap(d dialect.Driver) *Driver { return &Driver{Driver: d} }

// Count returns the number of statements since the last Reset.
func (d *Driver) Count() int { return int(d.n.Load()) }

// Reset zeroes the count and starts or stops recording statement text.
func (d *Driver) Reset(record bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.n.Store(0)
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

// Exec counts and runs a statement.
func (d *Driver) Exec(ctx context.Context, query string, args, v any) error {
	d.note(query)
	return d.Driver.Exec(ctx, query, args, v)
}

// Query counts and runs a query.
func (d *Driver) Query(ctx context.Context, query string, args, v any) error {
	d.note(query)
	return d.Driver.Query(ctx, query, args, v)
}

// Tx starts a transaction whose statements are counted too.
func (d *Driver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, d: d}, nil
}

type countingTx struct {
	dialect.Tx
	d *Driver
}

func (t *countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.d.note(query)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.d.note(query)
	return t.Tx.Query(ctx, query, args, v)
}

// QueryContext counts and runs raw SQL (ent's client.QueryContext reaches it).
func (d *Driver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	d.note(query)
	q, ok := d.Driver.(interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	})
	if !ok {
		return nil, fmt.Errorf("sqlcount: driver %T has no QueryContext", d.Driver)
	}
	return q.QueryContext(ctx, query, args...)
}
