package pgdriver

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
)

// pqConn is what lib/pq's connection implements; database/sql looks for each of these.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// conn closes its socket when the context of the operation running on it ends.
type conn struct {
	pq   pqConn
	sock *socket
}

func newConn(dc driver.Conn, s *socket) (driver.Conn, error) {
	pc, ok := dc.(pqConn)
	if !ok {
		_ = dc.Close()
		return nil, fmt.Errorf("pgdriver: lib/pq's connection (%T) lacks a context method", dc)
	}
	return &conn{pq: pc, sock: s}, nil
}

// guard closes the socket if ctx ends before the returned stop is called.
func (c *conn) guard(ctx context.Context) (stop func() bool) {
	return context.AfterFunc(ctx, c.sock.close)
}

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	stop := c.guard(ctx)
	defer stop()
	st, err := c.pq.PrepareContext(ctx, query)
	if err != nil {
		return nil, interrupted(ctx, err)
	}
	return &stmt{Stmt: st, c: c}, nil
}

func (c *conn) Close() error { return c.pq.Close() }

// Begin is never called by database/sql, which uses BeginTx.
func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx returns a transaction whose COMMIT and ROLLBACK are bounded by ctx too: database/sql
// gives them no context of their own.
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	stop := c.guard(ctx)
	defer stop()
	t, err := c.pq.BeginTx(ctx, opts)
	if err != nil {
		return nil, interrupted(ctx, err)
	}
	return &tx{Tx: t, c: c, ctx: ctx}, nil
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	stop := c.guard(ctx)
	r, err := c.pq.QueryContext(ctx, query, args)
	if err != nil {
		stop()
		return nil, interrupted(ctx, err)
	}
	return newRows(ctx, r, stop), nil
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	stop := c.guard(ctx)
	defer stop()
	res, err := c.pq.ExecContext(ctx, query, args)
	return res, interrupted(ctx, err)
}

func (c *conn) Ping(ctx context.Context) error {
	stop := c.guard(ctx)
	defer stop()
	return interrupted(ctx, c.pq.Ping(ctx))
}

// ResetSession refuses a connection whose socket was closed, so the pool drops it.
func (c *conn) ResetSession(ctx context.Context) error {
	if c.sock.isClosed() {
		return driver.ErrBadConn
	}
	return c.pq.ResetSession(ctx)
}

func (c *conn) IsValid() bool { return !c.sock.isClosed() && c.pq.IsValid() }

func (c *conn) CheckNamedValue(nv *driver.NamedValue) error { return c.pq.CheckNamedValue(nv) }

type tx struct {
	driver.Tx
	c   *conn
	ctx context.Context
}

func (t *tx) Commit() error {
	stop := t.c.guard(t.ctx)
	defer stop()
	return interrupted(t.ctx, t.Tx.Commit())
}

// Rollback after the context ended fails at once: the socket is closed, and the server rolls
// back a transaction whose connection is gone.
func (t *tx) Rollback() error {
	stop := t.c.guard(t.ctx)
	defer stop()
	return interrupted(t.ctx, t.Tx.Rollback())
}

type stmt struct {
	driver.Stmt
	c *conn
}

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return nil, fmt.Errorf("pgdriver: Exec without a context is not supported")
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return nil, fmt.Errorf("pgdriver: Query without a context is not supported")
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	stop := s.c.guard(ctx)
	defer stop()
	res, err := s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
	return res, interrupted(ctx, err)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	stop := s.c.guard(ctx)
	r, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		stop()
		return nil, interrupted(ctx, err)
	}
	return newRows(ctx, r, stop), nil
}

// pqRows is what lib/pq's rows implement; database/sql looks for each of these.
type pqRows interface {
	driver.Rows
	driver.RowsNextResultSet
	driver.RowsColumnTypeScanType
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypePrecisionScale
}

// rows keeps its statement's guard until it is closed: lib/pq reads the result as the caller
// iterates, and Close reads what is left.
type rows struct {
	pqRows
	ctx  context.Context
	stop func() bool
}

// plainRows is rows for a driver.Rows with fewer methods than lib/pq's today.
type plainRows struct {
	driver.Rows
	ctx  context.Context
	stop func() bool
}

func newRows(ctx context.Context, r driver.Rows, stop func() bool) driver.Rows {
	if pr, ok := r.(pqRows); ok {
		return &rows{pqRows: pr, ctx: ctx, stop: stop}
	}
	return &plainRows{Rows: r, ctx: ctx, stop: stop}
}

func (r *rows) Next(dest []driver.Value) error { return nextRow(r.ctx, r.pqRows, dest) }

func (r *rows) Close() error {
	defer r.stop()
	return interrupted(r.ctx, r.pqRows.Close())
}

func (r *plainRows) Next(dest []driver.Value) error { return nextRow(r.ctx, r.Rows, dest) }

func (r *plainRows) Close() error {
	defer r.stop()
	return interrupted(r.ctx, r.Rows.Close())
}

func nextRow(ctx context.Context, r driver.Rows, dest []driver.Value) error {
	err := r.Next(dest)
	if err != nil && err != io.EOF && ctx.Err() != nil {
		return interrupted(ctx, err)
	}
	return err
}
