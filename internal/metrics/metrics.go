// Package metrics keeps Vitrine's Prometheus metrics on a registry of its own (never the
// process-global default, so nothing a dependency registers leaks into /metrics and tests
// can run servers side by side) and serves them in the Prometheus text format.
//
// Every label takes a bounded set of values: HTTP methods and routes are the router's,
// statuses and error codes the server's; GraphQL operation names come from clients and are
// bounded by operationNames.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/reqlog"
)

// Label values that no GraphQL name can take (names cannot hold parentheses).
const (
	// NoOperation labels requests refused before their operation was known.
	NoOperation = "(none)"
	// Anonymous labels operations without a name.
	Anonymous = "(anonymous)"
	// OtherOperation labels operations past the bound on distinct names.
	OtherOperation = "(other)"
	// OK is the outcome of a request answered without errors.
	OK = "ok"
)

// Options tune the metrics.
type Options struct {
	// Operations, when set, are the only operation names used as label values, for example
	// those of the trusted documents; every other name counts as OtherOperation.
	Operations []string
	// MaxOperations bounds the distinct operation names recorded when Operations is empty;
	// 0 means DefaultMaxOperations.
	MaxOperations int
}

// Metrics are one server's collectors and their registry.
type Metrics struct {
	reg       *prometheus.Registry
	ops       *operationNames
	http      *prometheus.HistogramVec
	requests  *prometheus.CounterVec
	operation *prometheus.HistogramVec
	errors    *prometheus.CounterVec
	rejected  *prometheus.CounterVec
	batches   *prometheus.HistogramVec
}

// New returns metrics registered on a fresh registry, with the Go runtime, process and build
// collectors beside Vitrine's own.
func New(opts Options) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		ops: newOperationNames(opts.Operations, opts.MaxOperations),
		http: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "vitrine", Name: "http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by method, route pattern and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route", "status"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "vitrine", Name: "graphql_requests_total",
			Help: "GraphQL requests by operation name, operation type and outcome (ok or the class of the worst error).",
		}, []string{"operation", "type", "outcome"}),
		operation: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "vitrine", Name: "graphql_operation_duration_seconds",
			Help:    "Time from reading a GraphQL request to its response (parse, validation, execution), by operation name and type.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation", "type"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "vitrine", Name: "graphql_errors_total",
			Help: "Errors sent to GraphQL clients, by extensions.code.",
		}, []string{"code"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "vitrine", Name: "graphql_rejected_total",
			Help: "GraphQL requests refused or stopped by a guard rail (cost, depth, size, rate limits, trusted documents, deadline), by code.",
		}, []string{"code"}),
		batches: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "vitrine", Name: "loader_batch_keys",
			Help:    "Keys per batch a per-request data loader fetched in one query, by loader.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000},
		}, []string{"loader"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
		m.http, m.requests, m.operation, m.errors, m.rejected, m.batches,
	)
	return m
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry: m.reg,
		// A scrape is cheap, but nothing stops a stranger from asking for many at once.
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	})
}

// AddDB exports the pool statistics of db (database/sql's DBStats: open, in use and idle
// connections, waits, closes) as go_sql_* metrics labelled db_name=name.
func (m *Metrics) AddDB(name string, db *sql.DB) error {
	return m.reg.Register(collectors.NewDBStatsCollector(db, name))
}

// Register adds a collector of another package's metrics (e.g. the replica router's) to the
// registry /metrics serves.
func (m *Metrics) Register(c prometheus.Collector) error { return m.reg.Register(c) }

// ObserveBatch records the size of one data loader batch.
func (m *Metrics) ObserveBatch(loader string, keys int) {
	m.batches.WithLabelValues(loader).Observe(float64(keys))
}

// ObserveHTTP records a served request: its latency and, for the GraphQL endpoint, what the
// GraphQL layer reported in info. It is httpserver's Options.Observe.
func (m *Metrics) ObserveHTTP(r *http.Request, status int, elapsed time.Duration, info *reqlog.Info) {
	if info != nil && info.Stream {
		// Its duration would swamp the latencies; vitrine_live_connections counts streams.
		return
	}
	route := "(unmatched)"
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if p := rc.RoutePattern(); p != "" {
			route = p
		}
	}
	m.http.WithLabelValues(method(r.Method), route, strconv.Itoa(status)).Observe(elapsed.Seconds())
	if route != "/graphql" || info == nil {
		return
	}
	op, typ := NoOperation, info.OperationType
	if typ != "" {
		op = m.ops.label(info.Operation)
	}
	m.requests.WithLabelValues(op, typ, outcome(info.Codes, status)).Inc()
	if info.Duration > 0 {
		m.operation.WithLabelValues(op, typ).Observe(info.Duration.Seconds())
	}
	refusal := ""
	for _, c := range info.Codes {
		code := codeLabel(c)
		m.errors.WithLabelValues(code).Inc()
		if cl := apperr.ClassOf(apperr.Code(code)); refusal == "" && (cl == apperr.ClassRejected || cl == apperr.ClassTimeout) {
			refusal = code
		}
	}
	// Once per request: a refused request may carry its code on more than one error.
	if refusal != "" {
		m.rejected.WithLabelValues(refusal).Inc()
	}
}

// outcome is OK, or the class of the worst error; a failed response that carried no code
// (gqlgen answers a few transport mistakes itself) is classed by its HTTP status.
func outcome(codes []string, status int) string {
	worst := apperr.Class("")
	for _, c := range codes {
		if cl := apperr.ClassOf(apperr.Code(c)); cl.Worse(worst) {
			worst = cl
		}
	}
	switch {
	case worst != "":
		return string(worst)
	case status >= http.StatusInternalServerError:
		return string(apperr.ClassServer)
	case status >= http.StatusBadRequest:
		return string(apperr.ClassClient)
	}
	return OK
}

// method bounds the method label: clients may send any token as a method.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodOptions, http.MethodHead, http.MethodPut,
		http.MethodDelete, http.MethodPatch:
		return m
	}
	return "OTHER"
}

// codeLabel passes the server's codes (upper-case words) and bounds anything else.
func codeLabel(c string) string {
	if c == "" || len(c) > 40 {
		return "OTHER"
	}
	for _, r := range c {
		if (r < 'A' || r > 'Z') && r != '_' {
			return "OTHER"
		}
	}
	return c
}
