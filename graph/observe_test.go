package graph_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/metrics"
	"github.com/vitrinehq/vitrine/internal/ratelimit"
	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/internal/reqlog"
	"github.com/vitrinehq/vitrine/internal/sqlcount"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/server"
)

// observedHandler is e's resolver behind the full router with metrics on, served at
// /metrics on the same router, wired as cmd/vitrine serve wires them.
func observedHandler(e *env, m *metrics.Metrics, opts server.Options) http.Handler {
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts.Metrics, opts.MetricsPublic = m, true
	opts.Ready, opts.TrustedProxies = e.st.Ping, testProxies
	return server.New(e.resolver, opts)
}

// scrape reads /metrics through h.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	require.NoError(t, err)
	return fams
}

// sample returns the value of the series of family name with exactly labels: a counter's or
// gauge's value, a histogram's count (its sum with sum set).
func sample(fams map[string]*dto.MetricFamily, name string, labels map[string]string, sum bool) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		for _, l := range m.GetLabel() {
			if v, ok := labels[l.GetName()]; !ok || v != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil && sum:
			return m.Histogram.GetSampleSum(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// Each request is counted once under a bounded operation label with its outcome; errors by
// code, refusals by guard rail (HTTP-level ones included), loader batch sizes, latency and the
// database pool are exported.
func TestMetrics(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, storetest.Open(t, kind, nil))
			m := metrics.New(metrics.Options{MaxOperations: 2})
			require.NoError(t, m.AddDB("primary", e.st.DB))
			guard := &ratelimit.Guard{Requests: ratelimit.NewLocal(14), Log: slog.New(slog.DiscardHandler)}
			h := observedHandler(e, m, server.Options{RateLimit: guard})

			ok := serve(t, h, gqlRequest(t, ProductsNested, map[string]any{"first": 50}, ""))
			require.Empty(t, ok.Errors, ok.Raw)
			serve(t, h, gqlRequest(t, ProductsNested, map[string]any{"first": 10_000}, ""))
			serve(t, h, gqlRequest(t, "query Deep { categories(first: 1) { edges { node { "+nested("parent", 20, "name")+" } } } }", nil, ""))
			serve(t, h, gqlRequest(t, `query Missing($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": relay.Encode(1 << 50)}, ""))
			// Past MaxOperations, names share one label.
			serve(t, h, gqlRequest(t, "query Another { products(first: 1) { totalCount } }", nil, ""))
			big := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query": "{ products { totalCount } }", "variables": {"pad": "`+
				strings.Repeat("x", limits.DefaultMaxBodyBytes)+`"}}`))
			big.Header.Set("Content-Type", "application/json")
			require.Equal(t, http.StatusRequestEntityTooLarge, serve(t, h, big).Status)
			// GET errors that gqlgen answers itself, and presented ones held back with a 4xx,
			// are each counted once.
			require.Equal(t, http.StatusMethodNotAllowed, serve(t, h, httptest.NewRequest(http.MethodGet,
				"/graphql?query="+urlQuery(`mutation { deleteRating(productID: "x") }`), nil)).Status)
			invalid := httptest.NewRequest(http.MethodGet, "/graphql?query="+urlQuery("{ nope }"), nil)
			invalid.Header.Set("Accept", "application/graphql-response+json")
			require.GreaterOrEqual(t, serve(t, h, invalid).Status, 400)
			limited := false
			for range 20 {
				if res := serve(t, h, gqlRequest(t, "{ __typename }", nil, "")); res.Status == http.StatusTooManyRequests {
					limited = true
					break
				}
			}
			require.True(t, limited, "the request bucket never ran out")

			fams := scrape(t, h)
			for _, tt := range []struct {
				name   string
				labels map[string]string
				sum    bool
				want   float64
			}{
				{"vitrine_graphql_requests_total", map[string]string{"operation": "products_nested", "type": "query", "outcome": "ok"}, false, 1},
				{"vitrine_graphql_requests_total", map[string]string{"operation": "products_nested", "type": "query", "outcome": "rejected"}, false, 1},
				{"vitrine_graphql_requests_total", map[string]string{"operation": "Missing", "type": "query", "outcome": "client_error"}, false, 1},
				{"vitrine_graphql_requests_total", map[string]string{"operation": "(other)", "type": "query", "outcome": "ok"}, false, 1},
				{"vitrine_graphql_requests_total", map[string]string{"operation": "(none)", "type": "", "outcome": "rejected"}, false, 3},
				{"vitrine_graphql_rejected_total", map[string]string{"code": "QUERY_TOO_COMPLEX"}, false, 1},
				{"vitrine_graphql_rejected_total", map[string]string{"code": "QUERY_TOO_DEEP"}, false, 1},
				{"vitrine_graphql_rejected_total", map[string]string{"code": "PAYLOAD_TOO_LARGE"}, false, 1},
				{"vitrine_graphql_rejected_total", map[string]string{"code": "RATE_LIMITED"}, false, 1},
				{"vitrine_graphql_errors_total", map[string]string{"code": "NOT_FOUND"}, false, 1},
				{"vitrine_graphql_errors_total", map[string]string{"code": "METHOD_NOT_ALLOWED"}, false, 1},
				{"vitrine_graphql_errors_total", map[string]string{"code": "GRAPHQL_VALIDATION_FAILED"}, false, 1},
				{"vitrine_graphql_operation_duration_seconds", map[string]string{"operation": "products_nested", "type": "query"}, false, 2},
				{"vitrine_loader_batch_keys", map[string]string{"loader": "RatingSummary"}, false, 1},
				{"vitrine_loader_batch_keys", map[string]string{"loader": "RatingSummary"}, true, 30},
			} {
				got, found := sample(fams, tt.name, tt.labels, tt.sum)
				require.True(t, found, "%s%v missing", tt.name, tt.labels)
				require.Equal(t, tt.want, got, "%s%v", tt.name, tt.labels)
			}
			n, found := sample(fams, "vitrine_http_request_duration_seconds", map[string]string{"method": "POST", "route": "/graphql", "status": "200"}, false)
			require.True(t, found)
			require.GreaterOrEqual(t, n, 5.0)
			_, found = sample(fams, "go_sql_max_open_connections", map[string]string{"db_name": "primary"}, false)
			require.True(t, found, "database pool statistics")
			require.NotNil(t, fams["go_goroutines"], "Go runtime collector")
		})
	}
}

// An operation over the threshold is logged with its name, duration, cost and the number of
// SQL statements it ran; one under it is not.
func TestSlowOperationLog(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			for _, tt := range []struct {
				name string
				slow time.Duration
				want bool
			}{{"OverThreshold", time.Nanosecond, true}, {"UnderThreshold", time.Hour, false}} {
				t.Run(tt.name, func(t *testing.T) {
					var counter *storetest.CountingDriver
					st := storetest.Open(t, kind, func(d dialect.Driver) dialect.Driver {
						// As serve wires it: the per-request counter wraps the driver.
						counter = storetest.CountStatements(d)
						return sqlcount.PerRequest(counter)
					})
					var logs bytes.Buffer
					log := slog.New(reqlog.Handler(slog.NewJSONHandler(&logs, nil)))
					e := newLimitedEnv(t, st, server.Options{Log: log, SlowOperation: tt.slow})
					counter.Reset(false)
					res := serve(t, e.handler, gqlRequest(t, ProductsNested, map[string]any{"first": 50}, ""))
					require.Empty(t, res.Errors, res.Raw)
					slow := logRecord(t, logs.String(), "slow operation")
					if !tt.want {
						require.Nil(t, slow, logs.String())
						return
					}
					require.NotNil(t, slow, logs.String())
					require.Equal(t, "products_nested", slow["operation"])
					require.Equal(t, "query", slow["type"])
					require.Equal(t, float64(res.Extensions.Cost.Requested), slow["cost"])
					require.Equal(t, float64(counter.Count()), slow["sql_statements"], "the per-request count matches the global one")
					require.NotZero(t, slow["sql_statements"])
					require.NotEmpty(t, slow["request_id"])
					require.Greater(t, slow["duration"], float64(0))
					require.Equal(t, "WARN", slow["level"])
					require.Equal(t, float64(res.Extensions.Cost.Budget), slow["budget"])
					require.Equal(t, float64(0), slow["errors"])
				})
			}
		})
	}
}
