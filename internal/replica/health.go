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

	mu          sync.Mutex
	status      ServerStatus
	behindSince time.Time // since when checks have found it behind, in a row
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
	// LagSeconds is how far the replica's replay trails the primary's commits.
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

// lagQuery measures a replica: whether it has replayed all the WAL it received, and the age of
// the last commit it replayed (NULL until it replays one after starting). A replica whose WAL
// receiver is not running receives nothing and is not trusted at all. On a server that is no
// standby the WAL positions are NULL, hence the COALESCE: it must read as "not a standby".
const lagQuery = `SELECT pg_is_in_recovery(),
	EXISTS (SELECT 1 FROM pg_stat_wal_receiver),
	COALESCE(pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), false),
	EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())`

// lag turns a probe into seconds behind. The age of the last replayed commit alone misleads: on
// an idle primary it keeps growing although nothing is missing, and it is NULL after a
// restart. So a replica that replayed all it received is 0 behind; one that is behind is
// behind by the smaller of that age and how long the checker has seen it behind in a row
// (behindSince), which is exact enough at the check interval's resolution.
func (m *member) lag(now time.Time, caughtUp bool, replayAge sql.NullFloat64) float64 {
	if caughtUp {
		m.behindSince = time.Time{}
		return 0
	}
	if m.behindSince.IsZero() {
		m.behindSince = now
	}
	seen := now.Sub(m.behindSince).Seconds()
	if replayAge.Valid && replayAge.Float64 < seen {
		return max(replayAge.Float64, 0)
	}
	return seen
}

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

// Check probes every replica once, ejecting the unhealthy and re-admitting the healthy.
func (r *Router) Check(ctx context.Context) {
	var wg sync.WaitGroup
	for _, m := range r.replicas {
		wg.Go(func() { r.check(ctx, m) })
	}
	wg.Wait()
}

func (r *Router) check(ctx context.Context, m *member) {
	ctx, cancel := context.WithTimeout(ctx, max(r.opts.CheckInterval, time.Second))
	defer cancel()
	st := ServerStatus{Name: m.name, Role: "replica", Checked: time.Now().UTC()}
	var inRecovery, receiving, caughtUp bool
	var replayAge sql.NullFloat64
	err := m.db.QueryRowContext(ctx, lagQuery).Scan(&inRecovery, &receiving, &caughtUp, &replayAge)
	if err == nil {
		m.mu.Lock()
		st.LagSeconds = m.lag(st.Checked, caughtUp, replayAge)
		m.mu.Unlock()
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
	case time.Duration(st.LagSeconds*float64(time.Second)) > r.opts.MaxLag:
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
