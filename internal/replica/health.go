package replica

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"database/sql"

	entsql "entgo.io/ent/dialect/sql"
)

// member is one replica in the rotation.
type member struct {
	name    string
	db      *sql.DB
	drv     *entsql.Driver
	healthy atomic.Bool
	reads   atomic.Int64

	// replayed is the WAL position the replica had replayed at its last check: it holds every
	// transaction that ends before it (it only grows, so it is never too high).
	replayed atomic.Uint64

	mu     sync.Mutex
	status ServerStatus
}

// eject takes m out of the rotation and reports whether it was in.
func (m *member) eject() bool { return m.healthy.Swap(false) }

// ServerStatus is what /readyz shows for one database server.
type ServerStatus struct {
	Name string `json:"name"`
	// Role is "primary" or "replica".
	Role string `json:"role"`
	// Status is "ok", "lagging", "down" or, for a replica that is no standby, "not_replica".
	Status string `json:"status"`
	// LagSeconds is how long ago the primary was last at a WAL position the replica has
	// replayed: it holds every transaction committed until then (see lsn.go).
	LagSeconds float64 `json:"lag_seconds"`
	// InRotation tells whether reads go to this replica.
	InRotation bool `json:"in_rotation"`
	// Reads counts reads sent to this replica.
	Reads int64 `json:"reads"`
	// Error says why the server is down, for the operator's log: it is never rendered, since
	// /readyz is public and driver errors name hosts and ports.
	Error   string    `json:"-"`
	Checked time.Time `json:"checked"`
}

// lagQuery probes a replica: whether it is a standby, streaming, and how far it has replayed
// (NULL on a server that is not in recovery).
const lagQuery = `SELECT pg_is_in_recovery(),
	EXISTS (SELECT 1 FROM pg_stat_wal_receiver),
	pg_last_wal_replay_lsn()::text`

// Start checks every replica now, then keeps checking them every CheckInterval until ctx ends.
func (r *Router) Start(ctx context.Context) {
	r.Check(ctx)
	go func() {
		t := time.NewTicker(r.opts.CheckInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				r.Check(ctx)
			}
		}
	}()
}

// Check reads the primary's WAL position, then probes every replica once against it,
// ejecting the unhealthy and re-admitting the healthy.
func (r *Router) Check(ctx context.Context) {
	// Without the primary's position the replicas are measured against the last one seen, at
	// the current time: their lag then grows, as nobody can tell what they miss.
	at, sampled := time.Now(), r.sample(ctx)
	var wg sync.WaitGroup
	for _, m := range r.replicas {
		wg.Go(func() {
			ref := at
			if !sampled {
				ref = time.Now()
			}
			r.check(ctx, m, ref)
		})
	}
	wg.Wait()
}

// checkTimeout bounds one probe of a server.
func (r *Router) checkTimeout() time.Duration { return max(r.opts.CheckInterval, time.Second) }

// sample records the primary's WAL position in the history and reports whether it could.
// It waits at most checkTimeout, even for a driver that does not return when its context ends.
func (r *Router) sample(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, r.checkTimeout())
	defer cancel()
	at := time.Now()
	type result struct {
		lsn LSN
		err error
	}
	done := make(chan result, 1)
	go func() {
		lsn, err := r.position(ctx)
		done <- result{lsn, err}
	}()
	var err error
	select {
	case res := <-done:
		if err = res.err; err == nil {
			r.history.add(res.lsn, at)
		}
	case <-ctx.Done():
		err = ctx.Err()
	}
	// Logged when it starts and stops failing, not every round.
	if failing := err != nil; r.sampleFailing.Swap(failing) != failing {
		if failing {
			r.opts.Log.Warn("cannot read the primary's WAL position; replicas are measured against the last one seen", "err", errorText(err))
		} else {
			r.opts.Log.Info("reading the primary's WAL position again")
		}
	}
	return err == nil
}

func (r *Router) check(ctx context.Context, m *member, ref time.Time) {
	ctx, cancel := context.WithTimeout(ctx, r.checkTimeout())
	defer cancel()
	st := ServerStatus{Name: m.name, Role: "replica", Checked: time.Now().UTC()}
	var inRecovery, receiving bool
	var replayText sql.NullString
	var lag time.Duration
	exact := false
	err := m.db.QueryRowContext(ctx, lagQuery).Scan(&inRecovery, &receiving, &replayText)
	if err == nil && replayText.Valid {
		var replayed LSN
		if replayed, err = parseLSN(replayText.String); err == nil {
			m.replayed.Store(uint64(replayed))
			lag, exact = r.history.lag(replayed, ref)
			st.LagSeconds = lag.Seconds()
		}
	}
	switch {
	case err != nil:
		st.Status, st.Error = "down", errorText(err)
	case !inRecovery:
		// A promoted replica takes writes of its own: reading from it could show data the
		// primary never had.
		st.Status, st.Error = "not_replica", "not a standby: the server is not in recovery (a primary, or promoted?)"
	case !receiving:
		st.Status, st.Error = "down", "no WAL receiver: the replica is not streaming from the primary"
	case !exact:
		// Behind every position kept (or none is known yet): at least LagSeconds behind.
		st.Status, st.Error = "lagging", "behind every WAL position of the primary the checker knows"
	case lag > r.opts.MaxLag:
		st.Status = "lagging"
	default:
		st.Status = "ok"
	}
	healthy := st.Status == "ok"
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
		return // shutting down: keep the last verdict
	}
	m.mu.Lock()
	m.status = st
	m.mu.Unlock()
	switch was := m.healthy.Swap(healthy); {
	case was && !healthy:
		r.stats.ejections.Add(1)
		r.opts.Log.Warn("read replica left the rotation", "replica", m.name, "status", st.Status,
			"lag_seconds", st.LagSeconds, "err", st.Error)
	case !was && healthy:
		r.stats.admissions.Add(1)
		r.opts.Log.Info("read replica joined the rotation", "replica", m.name, "lag_seconds", st.LagSeconds)
	}
}

func errorText(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer within the check interval"
	}
	return err.Error()
}

// Status reports the primary (pinged now) and each replica (as last checked).
func (r *Router) Status(ctx context.Context) []ServerStatus {
	p := ServerStatus{Name: "primary", Role: "primary", Status: "ok", InRotation: true, Checked: time.Now().UTC()}
	if err := r.primary.DB().PingContext(ctx); err != nil {
		p.Status, p.Error, p.InRotation = "down", errorText(err), false
	}
	out := []ServerStatus{p}
	for _, m := range r.replicas {
		m.mu.Lock()
		st := m.status
		m.mu.Unlock()
		if st.Status == "" {
			st = ServerStatus{Name: m.name, Role: "replica", Status: "down", Error: "not checked yet"}
		}
		st.InRotation = m.healthy.Load()
		st.Reads = m.reads.Load()
		out = append(out, st)
	}
	return out
}

// Stats are the routing counters since start, for metrics.
type Stats struct {
	// ReplicaReads went to a replica; the primary's reads are PinnedReads (read-your-writes),
	// NoReplicaReads (no replica was healthy) and Retries.
	ReplicaReads, PinnedReads, NoReplicaReads int64
	// Retries are replica reads that failed and were retried on the primary; OperationRetries
	// are whole queries run again on the primary after a replica broke mid-result.
	Retries, OperationRetries int64
	// Writes are statements outside transactions sent to the primary; Transactions were begun.
	Writes, Transactions int64
	// Ejections and Admissions count replicas leaving and (re)joining the rotation.
	Ejections, Admissions int64
	// MarkErrors count failures to read or record a read-your-writes marker.
	MarkErrors int64
}

type counters struct {
	replicaReads, pinnedReads, noReplicaReads            atomic.Int64
	retries, writes, transactions, ejections, admissions atomic.Int64
	markErrors, operationRetries                         atomic.Int64
}

// Stats returns the routing counters.
func (r *Router) Stats() Stats {
	c := &r.stats
	return Stats{
		ReplicaReads: c.replicaReads.Load(),
		PinnedReads:  c.pinnedReads.Load(), NoReplicaReads: c.noReplicaReads.Load(),
		Retries: c.retries.Load(), OperationRetries: c.operationRetries.Load(), Writes: c.writes.Load(), Transactions: c.transactions.Load(),
		Ejections: c.ejections.Load(), Admissions: c.admissions.Load(), MarkErrors: c.markErrors.Load(),
	}
}
