// Package pgdriver opens Postgres through lib/pq so that no statement outlives its context.
//
// lib/pq answers a context that ends mid-statement by sending a cancel request on a new
// connection, then keeps waiting on the old socket. Against a frozen server (stopped processes
// with their sockets open, a network partition) the statement, a COMMIT or a ping then waits
// until the kernel gives up on the socket, whatever the request's deadline; lib/pq v1.12.3 has
// no option for this. Connections opened here close their socket when the context of the
// operation running on them ends, so the caller gets its error at the deadline and the pool
// discards the connection. Their dialer also sets TCP keepalives and, on Linux,
// TCP_USER_TIMEOUT, so that a dead peer is noticed on idle and busy sockets alike, and bounds
// the connection handshake.
package pgdriver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/lib/pq"
)

// Options tune the TCP side of the connections; zero values take the defaults.
type Options struct {
	// KeepAlive is the idle time before the first TCP keepalive probe and between probes
	// (default 15 s; three unanswered probes close the socket).
	KeepAlive time.Duration
	// UserTimeout bounds how long sent data may stay unacknowledged before the kernel closes
	// the socket (Linux TCP_USER_TIMEOUT; default 30 s).
	UserTimeout time.Duration
	// ConnectTimeout bounds dialing and the startup handshake when the URL sets no
	// connect_timeout (default 10 s), also for connections the pool opens in the background
	// with no deadline of their own.
	ConnectTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.KeepAlive <= 0 {
		o.KeepAlive = 15 * time.Second
	}
	if o.UserTimeout <= 0 {
		o.UserTimeout = 30 * time.Second
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	return o
}

// Open returns a database handle for the lib/pq URL or key=value DSN.
func Open(dsn string, opts Options) (*sql.DB, error) {
	c, err := NewConnector(dsn, opts)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// NewConnector returns a driver.Connector for the lib/pq URL or key=value DSN.
func NewConnector(dsn string, opts Options) (driver.Connector, error) {
	opts = opts.withDefaults()
	pc, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	pc.Dialer(newDialer(opts))
	return &connector{pq: pc}, nil
}

type connector struct{ pq *pq.Connector }

// Connect opens a connection whose handshake also ends with ctx.
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	s := &socket{}
	stop := context.AfterFunc(ctx, s.close)
	dc, err := c.pq.Connect(context.WithValue(ctx, socketKey{}, s))
	if !stop() && err == nil {
		_ = dc.Close()
		return nil, interrupted(ctx, fmt.Errorf("connection closed at the end of its context"))
	}
	if err != nil {
		return nil, interrupted(ctx, err)
	}
	s.handshakeDone()
	return newConn(dc, s)
}

func (c *connector) Driver() driver.Driver { return c.pq.Driver() }

// socket is the network connection under one lib/pq connection. The dialer fills it in; it is
// closed to interrupt whatever lib/pq is waiting for.
type socket struct {
	mu     sync.Mutex
	nc     net.Conn
	closed bool
}

type socketKey struct{}

func (s *socket) set(nc net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		_ = nc.Close()
	}
	s.nc = nc
}

func (s *socket) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.nc != nil {
		_ = s.nc.Close()
	}
}

// handshakeDone lifts the dialer's handshake deadline.
func (s *socket) handshakeDone() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nc != nil {
		_ = s.nc.SetDeadline(time.Time{})
	}
}

func (s *socket) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// cancelTimeout bounds lib/pq's cancel requests: a server that answers at all answers one in
// milliseconds, and lib/pq waits for it before a prepared statement returns its error.
const cancelTimeout = time.Second

// dialer is lib/pq's Dialer with keepalives, TCP_USER_TIMEOUT and bounded handshakes.
type dialer struct {
	d              net.Dialer
	connectTimeout time.Duration
}

func newDialer(opts Options) *dialer {
	return &dialer{connectTimeout: opts.ConnectTimeout, d: net.Dialer{
		Timeout:         opts.ConnectTimeout,
		KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: opts.KeepAlive, Interval: opts.KeepAlive, Count: 3},
		Control:         userTimeout(opts.UserTimeout),
	}}
}

func (d *dialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

func (d *dialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.DialContext(ctx, network, address)
}

// DialContext records a connection's socket for Connect and bounds its handshake (lib/pq
// replaces that deadline with its own when the URL sets connect_timeout). A dial outside
// Connect is lib/pq's cancel request, which reads until the server hangs up: a deadline
// bounds the whole exchange, or a frozen server would keep it (and its goroutine) forever.
func (d *dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	nc, err := d.d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	if s, ok := ctx.Value(socketKey{}).(*socket); ok {
		_ = nc.SetDeadline(time.Now().Add(d.connectTimeout))
		s.set(nc)
	} else {
		_ = nc.SetDeadline(time.Now().Add(cancelTimeout))
	}
	return nc, nil
}

// interrupted reports an operation cut short by its context as the context's error, so
// callers (and the error presenter) see a deadline or a cancellation, not a closed socket.
func interrupted(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	return &contextError{ctx: context.Cause(ctx), err: err}
}

type contextError struct{ ctx, err error }

func (e *contextError) Error() string {
	return "postgres: " + e.ctx.Error() + " (" + e.err.Error() + ")"
}
func (e *contextError) Unwrap() []error { return []error{e.ctx, e.err} }
