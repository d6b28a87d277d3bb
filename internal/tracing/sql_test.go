package tracing_test

import (
	"context"
	"errors"
	"testing"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/internal/tracing"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func attrs(s sdktrace.ReadOnlySpan) map[string]string {
	m := map[string]string{}
	for _, kv := range s.Attributes() {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

// TestStatementsGetSpansOnlyInsideARecordedRequest runs real statements through a traced
// driver on both stores: inside a recording span each is a client span named for its first
// keyword with the store's system and the statement text; outside one, none is made.
func TestStatementsGetSpansOnlyInsideARecordedRequest(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			rec := tracetest.NewSpanRecorder()
			tr := tracing.New(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
			st := storetest.Open(t, kind, tr.Driver)
			before := len(rec.Ended()) // migration statements ran outside any request
			require.Zero(t, before)

			ctx, root := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)).Tracer("t").Start(context.Background(), "request")
			n, err := st.Client.Category.Query().Count(ctx)
			require.NoError(t, err)
			require.Zero(t, n)
			_, err = st.Client.ExecContext(ctx, "DELETE FROM no_such_table")
			require.Error(t, err)
			root.End()

			var stmts []sdktrace.ReadOnlySpan
			for _, s := range rec.Ended() {
				if s.Name() != "request" {
					stmts = append(stmts, s)
				}
			}
			require.Len(t, stmts, 2)
			require.Equal(t, "SELECT", stmts[0].Name())
			a := attrs(stmts[0])
			want := map[string]string{dialect.SQLite: "sqlite", dialect.Postgres: "postgresql"}[st.Dialect]
			require.Equal(t, want, a["db.system.name"])
			require.Equal(t, "SELECT", a["db.operation.name"])
			require.Contains(t, a["db.query.text"], "categories")
			require.Equal(t, root.SpanContext().TraceID(), stmts[0].SpanContext().TraceID())
			require.Equal(t, "DELETE", stmts[1].Name())
			require.Equal(t, codes.Error, stmts[1].Status().Code, "a failed statement marks its span")

			_, err = st.Client.Category.Query().Count(context.Background())
			require.NoError(t, err)
			require.Len(t, rec.Ended(), len(stmts)+1, "no span outside a request")
		})
	}
}

func TestBatchSpansNameTheLoaderAndItsKeys(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tr := tracing.New(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	_, done := tr.Batch(context.Background(), "RatingSummary", 12)
	done(nil)
	_, done = tr.Batch(context.Background(), "ReviewPages", 3)
	done(errors.New("boom"))
	spans := rec.Ended()
	require.Len(t, spans, 2)
	require.Equal(t, "loader RatingSummary", spans[0].Name())
	require.Equal(t, map[string]string{"vitrine.loader": "RatingSummary", "vitrine.loader.keys": "12"}, attrs(spans[0]))
	require.Equal(t, codes.Unset, spans[0].Status().Code)
	require.Equal(t, codes.Error, spans[1].Status().Code)

	var off *tracing.Tracing // tracing disabled: no spans, no panic
	_, done = off.Batch(context.Background(), "X", 1)
	done(nil)
	require.Len(t, rec.Ended(), 2)
}
