// Package replica routes ent's statements between a Postgres primary and its streaming read
// replicas: reads outside transactions go round robin to healthy replicas, everything else —
// writes, transactions, and a user's reads until a replica has replayed their last write — to
// the primary.
//
// A Router is an ent dialect.Driver. Wrap the primary's driver with it (store.Options.WrapDriver),
// call Start to run the health checker, and put Middleware around the GraphQL handler so that
// read-your-writes knows the request and its user.
package replica

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"entgo.io/ent"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"

	"github.com/vitrinehq/vitrine/internal/pgdriver"
)

// Options tune a Router. Zero values take the documented defaults.
type Options struct {
	// MaxLag ejects a replica while it is further behind the primary (default 5s), measured
	// against the primary's WAL position (lsn.go): a replica that stops receiving leaves the
	// rotation within MaxLag + CheckInterval of the first write it misses.
	MaxLag time.Duration
	// CheckInterval is how often the primary's position is read and replicas are probed
	// (default 1s).
	CheckInterval time.Duration
	// Marks remembers each writer's last commit position; nil keeps them in this process
	// (NewMemoryMarks).
	Marks Marks
	// Log receives ejections, re-admissions and failed replica reads; nil discards them.
	Log *slog.Logger
}

// Router is an ent dialect.Driver that sends reads to replicas and the rest to the primary.
type Router struct {
	primary  *entsql.Driver
	replicas []*member
	next     atomic.Uint64
	opts     Options
	stats    counters

	history       history // the primary's WAL positions, for measuring lag
	sampleFailing atomic.Bool
	layoutMu      sync.Mutex
	layout        walLayout // read from the primary once
}

// New returns a Router over primary (the store's Postgres driver) and the replicas at urls,
// whose pools it owns; pool, when set, sizes them like the primary's. Replicas stay out of the
// rotation until Start (or Check) finds them healthy; Start's first check waits at most
// max(CheckInterval, 1s) for the primary's WAL position and as long again for the replicas, so
// a server that hangs at start delays serving that long.
func New(primary dialect.Driver, urls []string, pool func(*sql.DB), opts Options) (*Router, error) {
	p, ok := primary.(*entsql.Driver)
	if !ok || p.Dialect() != dialect.Postgres {
		return nil, fmt.Errorf("replica: read replicas need a Postgres primary, got %T (%s)", primary, primary.Dialect())
	}
	if opts.MaxLag <= 0 {
		opts.MaxLag = 5 * time.Second
	}
	if opts.CheckInterval <= 0 {
		opts.CheckInterval = time.Second
	}
	if opts.Marks == nil {
		opts.Marks = NewMemoryMarks()
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	// Positions are kept well past MaxLag so that /readyz and metrics show how far a stalled
	// replica is behind for ten minutes, not only that it is more than MaxLag.
	r := &Router{primary: p, opts: opts, history: history{keep: max(2*opts.MaxLag, 10*time.Minute)}}
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			r.closeReplicas()
			return nil, fmt.Errorf("replica URL %q is not a postgres:// URL", redact(raw))
		}
		db, err := pgdriver.Open(raw, pgdriver.Options{})
		if err != nil {
			r.closeReplicas()
			return nil, fmt.Errorf("replica %s: %w", u.Host, err)
		}
		if pool != nil {
			pool(db)
		}
		r.replicas = append(r.replicas, &member{name: u.Host, db: db, drv: entsql.OpenDB(dialect.Postgres, db)})
	}
	return r, nil
}

// redact hides a password in a URL that failed to parse, for error messages.
func redact(raw string) string {
	if at := strings.LastIndex(raw, "@"); at >= 0 {
		return "…" + raw[at:]
	}
	return raw
}

// Dialect is Postgres.
func (r *Router) Dialect() string { return dialect.Postgres }

// Close closes the replica pools, the marks' connection if they have one, and the primary.
func (r *Router) Close() error {
	err := r.closeReplicas()
	if c, ok := r.opts.Marks.(io.Closer); ok {
		err = errors.Join(err, c.Close())
	}
	return errors.Join(err, r.primary.Close())
}

func (r *Router) closeReplicas() error {
	var errs []error
	for _, m := range r.replicas {
		errs = append(errs, m.db.Close())
	}
	return errors.Join(errs...)
}

// Exec runs a statement on the primary and remembers that the caller wrote.
func (r *Router) Exec(ctx context.Context, query string, args, v any) error {
	r.stats.writes.Add(1)
	err := r.primary.Exec(ctx, query, args, v)
	r.wrote(ctx)
	return err
}

// ExecContext runs raw SQL on the primary (ent's client.ExecContext reaches it).
func (r *Router) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	r.stats.writes.Add(1)
	res, err := r.primary.ExecContext(ctx, query, args...)
	r.wrote(ctx)
	return res, err
}

// Query sends ent's queries to a replica when it may. ent runs INSERT … RETURNING through
// Query too, without a query context: those go to the primary.
func (r *Router) Query(ctx context.Context, query string, args, v any) error {
	if ent.QueryFromContext(ctx) == nil {
		r.stats.writes.Add(1)
		err := r.primary.Query(ctx, query, args, v)
		r.wrote(ctx)
		return err
	}
	return r.read(ctx, func(d *entsql.Driver) error { return d.Query(ctx, query, args, v) })
}

// QueryContext runs raw SQL reads (ent's client.QueryContext reaches it) like Query. Only
// reads come here: domain code runs raw writes with ExecContext or inside a transaction.
func (r *Router) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	var rows *sql.Rows
	err := r.read(ctx, func(d *entsql.Driver) (err error) {
		rows, err = d.QueryContext(ctx, query, args...)
		return err
	})
	return rows, err
}

// Tx starts a transaction on the primary; see BeginTx.
func (r *Router) Tx(ctx context.Context) (dialect.Tx, error) { return r.BeginTx(ctx, nil) }

// BeginTx starts a transaction on the primary. A transaction is taken for a write: the rest of
// the request reads from the primary at once, and once it commits the user's next requests
// read from a replica only when it has replayed the commit.
func (r *Router) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	r.stats.transactions.Add(1)
	if st := stateFrom(ctx); st != nil {
		st.pinned.Store(true)
	}
	tx, err := r.primary.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &markingTx{Tx: tx, commit: func() { r.wrote(ctx) }}, nil
}

// markingTx records the write when it commits, so the position recorded covers the commit.
type markingTx struct {
	dialect.Tx
	commit func()
}

// ExecContext runs raw SQL in the transaction (ent's Client.ExecContext, such as the NOTIFY
// internal/live sends before COMMIT): the embedded dialect.Tx does not promote it.
func (t *markingTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ex, ok := t.Tx.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	})
	if !ok {
		return nil, fmt.Errorf("replica: the primary's transaction (%T) cannot run raw SQL", t.Tx)
	}
	return ex.ExecContext(ctx, query, args...)
}

func (t *markingTx) Commit() error {
	err := t.Tx.Commit()
	if err == nil {
		t.commit()
	}
	return err
}

// read runs fn on a healthy replica, or on the primary when the request must see its own
// writes or no replica is healthy. A replica's failure is retried once on the primary, so
// clients never see it; a replica whose connection broke leaves the rotation at once.
func (r *Router) read(ctx context.Context, fn func(*entsql.Driver) error) error {
	if r.mustUsePrimary(ctx) {
		r.stats.pinnedReads.Add(1)
		return fn(r.primary)
	}
	m, ok := r.pick(stateFrom(ctx).mustSee())
	if m == nil {
		if ok {
			// Healthy replicas there are, but none has replayed the user's last write yet.
			r.stats.pinnedReads.Add(1)
		} else {
			r.stats.noReplicaReads.Add(1)
		}
		return fn(r.primary)
	}
	m.reads.Add(1)
	r.stats.replicaReads.Add(1)
	if st := stateFrom(ctx); st != nil {
		st.replicaRead.Store(true)
	}
	err := fn(m.drv)
	if err == nil || ctx.Err() != nil {
		return err
	}
	r.stats.retries.Add(1)
	if connectionLost(err) && m.eject() {
		r.stats.ejections.Add(1)
		r.opts.Log.Warn("read replica left the rotation", "replica", m.name, "reason", "read failed", "err", err)
	} else {
		r.opts.Log.Warn("read on replica failed; retrying on the primary", "replica", m.name, "err", err)
	}
	return fn(r.primary)
}

// pick returns the next healthy replica in round-robin order that had replayed at least
// position at its last check, or nil; anyHealthy tells whether any replica is healthy at all.
func (r *Router) pick(position LSN) (m *member, anyHealthy bool) {
	n := uint64(len(r.replicas))
	if n == 0 {
		return nil, false
	}
	start := r.next.Add(1)
	for i := range n {
		m := r.replicas[(start+i)%n]
		if !m.healthy.Load() {
			continue
		}
		if LSN(m.replayed.Load()) >= position {
			return m, true
		}
		anyHealthy = true
	}
	return nil, anyHealthy
}

// connectionLost tells a dead or dying server (refused, reset, shut down, gone mid-result)
// from every other error: the statement's own, a cancelled request's, or a resolver's. Both the
// router's read retry and NoteError ask it.
func connectionLost(err error) bool {
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
