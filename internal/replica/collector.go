package replica

import "github.com/prometheus/client_golang/prometheus"

// Collector exports the routing: where reads went and why, writes and transactions sent to the
// primary, and each replica's rotation state, lag and reads. The values are read from the
// Router's counters at scrape time, so routing itself pays nothing for them.
func (r *Router) Collector() prometheus.Collector { return collector{r} }

type collector struct{ r *Router }

var (
	readsDesc = prometheus.NewDesc("vitrine_db_reads_total",
		"Reads outside transactions by where they went: target replica, or primary with the reason "+
			"(read_your_writes, no_healthy_replica, retry after a failed replica read).",
		[]string{"target", "reason"}, nil)
	writesDesc = prometheus.NewDesc("vitrine_db_writes_total",
		"Statements outside transactions sent to the primary as writes.", nil, nil)
	txDesc = prometheus.NewDesc("vitrine_db_transactions_total",
		"Transactions begun (always on the primary).", nil, nil)
	ejectionsDesc = prometheus.NewDesc("vitrine_replica_ejections_total",
		"Times a read replica left the rotation (down, not streaming, or lagging).", nil, nil)
	admissionsDesc = prometheus.NewDesc("vitrine_replica_admissions_total",
		"Times a read replica joined or rejoined the rotation.", nil, nil)
	opRetriesDesc = prometheus.NewDesc("vitrine_replica_operation_retries_total",
		"Queries run again on the primary because a read replica's connection broke while they read from it.", nil, nil)
	markErrorsDesc = prometheus.NewDesc("vitrine_read_your_writes_marker_errors_total",
		"Failures to read or record a read-your-writes marker (the request then read from the primary).", nil, nil)
	inRotationDesc = prometheus.NewDesc("vitrine_replica_in_rotation",
		"1 while the read replica takes reads, 0 while it is out of the rotation.", []string{"replica"}, nil)
	lagDesc = prometheus.NewDesc("vitrine_replica_lag_seconds",
		"How long ago, at the read replica's last health check, the primary was last at a WAL position the replica had replayed (its staleness; 0 when it has replayed all the primary wrote).", []string{"replica"}, nil)
	replicaReadsDesc = prometheus.NewDesc("vitrine_replica_reads_total",
		"Reads served by each read replica.", []string{"replica"}, nil)
)

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{readsDesc, writesDesc, txDesc, ejectionsDesc, admissionsDesc,
		opRetriesDesc, markErrorsDesc, inRotationDesc, lagDesc, replicaReadsDesc} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	s := c.r.Stats()
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	counter(readsDesc, s.ReplicaReads, "replica", "")
	counter(readsDesc, s.PinnedReads, "primary", "read_your_writes")
	counter(readsDesc, s.NoReplicaReads, "primary", "no_healthy_replica")
	counter(readsDesc, s.Retries, "primary", "retry")
	counter(writesDesc, s.Writes)
	counter(txDesc, s.Transactions)
	counter(ejectionsDesc, s.Ejections)
	counter(admissionsDesc, s.Admissions)
	counter(opRetriesDesc, s.OperationRetries)
	counter(markErrorsDesc, s.MarkErrors)
	for _, m := range c.r.replicas {
		m.mu.Lock()
		lag := m.status.LagSeconds
		m.mu.Unlock()
		in := 0.0
		if m.healthy.Load() {
			in = 1
		}
		ch <- prometheus.MustNewConstMetric(inRotationDesc, prometheus.GaugeValue, in, m.name)
		ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, lag, m.name)
		counter(replicaReadsDesc, m.reads.Load(), m.name)
	}
}
