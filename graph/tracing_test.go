package graph_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/vitrinehq/vitrine/internal/proxy"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/internal/tracing"
	"github.com/vitrinehq/vitrine/server"
)

// tracedStack is the test stack with tracing wired as serve wires it, recording spans in
// memory. public decides whether a caller's trace context is only linked.
func tracedStack(t *testing.T, kind string) (http.Handler, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tr := tracing.New(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	st := storetest.Open(t, kind, func(d dialect.Driver) dialect.Driver { return tr.Driver(d) })
	e := newLimitedEnv(t, st, server.Options{})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := server.New(e.resolver, server.Options{Log: log, Tracing: tr, Ready: st.Ping, TrustedProxies: testProxies})
	return h, rec
}

// A real GraphQL request makes one trace: the HTTP server span, the operation under it, the
// root field under that, loader batches under the root field, and every SQL statement under
// the operation, with the statement's text.
func TestTracingSpanHierarchy(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			h, rec := tracedStack(t, kind)
			res := serve(t, h, gqlRequest(t, ProductsNested, map[string]any{"first": 50}, ""))
			require.Empty(t, res.Errors, res.Raw)

			spans := rec.Ended()
			byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
			for _, s := range spans {
				byID[s.SpanContext().SpanID()] = s
			}
			parent := func(s sdktrace.ReadOnlySpan) sdktrace.ReadOnlySpan { return byID[s.Parent().SpanID()] }
			under := func(s, ancestor sdktrace.ReadOnlySpan) bool {
				for p := parent(s); p != nil; p = parent(p) {
					if p == ancestor {
						return true
					}
				}
				return false
			}
			find := func(name string) sdktrace.ReadOnlySpan {
				for _, s := range spans {
					if s.Name() == name {
						return s
					}
				}
				var names []string
				for _, s := range spans {
					names = append(names, s.Name())
				}
				t.Fatalf("no span %q among %v", name, names)
				return nil
			}

			server := find("POST /graphql")
			require.Equal(t, trace.SpanKindServer, server.SpanKind())
			require.False(t, server.Parent().IsValid(), "the HTTP span is the root")
			require.Contains(t, attrs(server), "http.route=/graphql")
			require.Contains(t, attrs(server), "vitrine.request_id="+res.Header.Get(proxy.RequestIDHeader))
			op := find("query products_nested")
			require.Equal(t, server, parent(op))
			require.Contains(t, attrs(op), "graphql.operation.name=products_nested")
			root := find("Query.products")
			require.Equal(t, op, parent(root))
			batch := find("loader RatingSummary")
			require.True(t, under(batch, root), "the batch runs for the root field")
			require.Contains(t, attrs(batch), "vitrine.loader.keys=30")

			system := map[string]string{"sqlite": "sqlite", "postgres": "postgresql"}[kind]
			var statements, inBatch int
			for _, s := range spans {
				require.Equal(t, server.SpanContext().TraceID(), s.SpanContext().TraceID(), "one trace: %s", s.Name())
				if s.SpanKind() != trace.SpanKindClient {
					continue
				}
				statements++
				require.True(t, under(s, op), "statement %s outside the operation", s.Name())
				require.Contains(t, attrs(s), "db.system.name="+system)
				require.Contains(t, strings.Join(attrs(s), " "), "db.query.text=")
				if under(s, batch) {
					inBatch++
				}
			}
			require.NotZero(t, statements)
			require.Equal(t, 1, inBatch, "the rating batch is one statement")
		})
	}
}

// A stranger's traceparent is only linked: our trace starts at our edge. A trusted proxy's
// is continued.
func TestTracingTrustsOnlyProxies(t *testing.T) {
	const incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	for _, tt := range []struct {
		name, peer string
		kept       bool
	}{{"StrangerLinked", "203.0.113.9:4000", false}, {"ProxyContinued", "192.0.2.1:4000", true}} {
		t.Run(tt.name, func(t *testing.T) {
			h, rec := tracedStack(t, "sqlite")
			req := gqlRequest(t, "{ products(first: 1) { totalCount } }", nil, "")
			req.RemoteAddr = tt.peer // testProxies trusts 192.0.2.1
			req.Header.Set("traceparent", incoming)
			res := serve(t, h, req)
			require.Empty(t, res.Errors, res.Raw)
			var server sdktrace.ReadOnlySpan
			for _, s := range rec.Ended() {
				if s.SpanKind() == trace.SpanKindServer {
					server = s
				}
			}
			require.NotNil(t, server)
			same := server.SpanContext().TraceID().String() == "4bf92f3577b34da6a3ce929d0e0e4736"
			require.Equal(t, tt.kept, same)
			if !tt.kept {
				require.Len(t, server.Links(), 1, "the caller's context is kept as a link")
			}
		})
	}
}

func attrs(s sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, a := range s.Attributes() {
		out = append(out, string(a.Key)+"="+a.Value.String())
	}
	return out
}
