package graph_test

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/vitrinehq/vitrine/internal/metrics"
	"github.com/vitrinehq/vitrine/internal/sqlcount"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/internal/tracing"
	"github.com/vitrinehq/vitrine/server"
)

// BenchmarkObservabilityOverhead serves the canonical query (bench/products_nested.graphql,
// 50 products) through three stacks over one store, in turn so that drift on a shared machine
// hits all alike: observability off (tracing disabled, no metrics), metrics on (tracing still
// disabled), and metrics with every request traced (sampled, spans dropped by a no-op
// exporter: the cost of making them, not of shipping them). The store's driver carries the
// per-request statement counter and the tracing wrapper in all three, as serve installs the
// former always and the latter when tracing is on; without a span in the context the wrapper
// is a context lookup per statement.
func BenchmarkObservabilityOverhead(b *testing.B) {
	for _, kind := range storetest.Kinds {
		b.Run(kind, func(b *testing.B) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(tracetest.NewNoopExporter())))
			tr := tracing.New(tp)
			st := storetest.Open(b, kind, func(d dialect.Driver) dialect.Driver { return tr.Driver(sqlcount.PerRequest(d)) })
			e := newEnv(b, st)
			loadWideCatalog(b, st.Client, e.fx)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			stack := func(m *metrics.Metrics, t *tracing.Tracing) http.Handler {
				return server.New(e.resolver, server.Options{
					Log: log, Metrics: m, Tracing: t, SlowOperation: 500 * time.Millisecond, Ready: st.Ping,
				})
			}
			stacks := []http.Handler{stack(nil, nil), stack(metrics.New(metrics.Options{}), nil), stack(metrics.New(metrics.Options{}), tr)}
			ns := timeStacks(b, stacks...)
			per := func(k int) float64 { return ns[k] }
			b.ReportMetric(per(0), "off-ns/req")
			b.ReportMetric(per(1), "metrics-ns/req")
			b.ReportMetric(per(2), "traced-ns/req")
			b.ReportMetric(100*(per(1)/per(0)-1), "metrics-overhead-%")
			b.ReportMetric(100*(per(2)/per(0)-1), "traced-overhead-%")
		})
	}
}
