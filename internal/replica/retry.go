package replica

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/lib/pq"
)

// A replica that stops while it streams a result breaks the read after the Router handed the
// rows back, where read cannot retry it: ent scans them later, in the resolver. Such a request
// is run again on the primary as a whole (see graph's retry), which is only safe for reads, and
// is what keeps clients from seeing a replica leave.

// NoteError records that a resolver of the request behind ctx failed because a database
// connection broke, if the request read from a replica. Other errors are ignored.
func NoteError(ctx context.Context, err error) {
	st := stateFrom(ctx)
	if st == nil || !st.replicaRead.Load() || ctx.Err() != nil || !brokenConnection(err) {
		return
	}
	st.broken.Store(true)
}

// Broken reports whether a replica's connection broke during the request behind ctx (see
// NoteError): its read-only operation should run again with RetryContext.
func Broken(ctx context.Context) bool {
	st := stateFrom(ctx)
	return st != nil && st.broken.Load()
}

// RetryContext returns ctx with a fresh routing state that reads from the primary only, and
// counts the re-run operation in the Router's statistics.
func RetryContext(ctx context.Context) context.Context {
	if st := stateFrom(ctx); st != nil && st.stats != nil {
		st.stats.operationRetries.Add(1)
	}
	return WithPrimary(ctx)
}

// brokenConnection tells a connection that died (the server went away, was shut down or reset
// it) from every other error, including the statement's own and a cancelled request's.
func brokenConnection(err error) bool {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		// 57014 is a cancelled statement: the request's own deadline, not the server's health.
		return pqErr.Code.Class() == "08" || (pqErr.Code.Class() == "57" && pqErr.Code != "57014")
	}
	var netErr *net.OpError
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &netErr)
}
