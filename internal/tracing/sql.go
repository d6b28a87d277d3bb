package tracing

import (
	"context"
	"strings"

	"entgo.io/ent/dialect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/vitrinehq/vitrine/internal/sqlhook"
)

// maxQueryText bounds the statement text put on a span; ent's statements are parameterized,
// so the text carries no values, but a large IN list can still be long.
const maxQueryText = 2048

// Driver wraps an ent driver so that each statement run within a traced request gets a
// client span with the statement's text; d itself when tracing is off. Statements outside a
// request (migrations at start, background checks) are not traced: they would each start a
// trace of one span.
func (t *Tracing) Driver(d dialect.Driver) dialect.Driver {
	if t == nil {
		return d
	}
	system := semconv.DBSystemNameSQLite
	if d.Dialect() == dialect.Postgres {
		system = semconv.DBSystemNamePostgreSQL
	}
	tracer := t.tracer
	return sqlhook.Wrap(d, func(ctx context.Context, query string) (context.Context, func(error)) {
		// Unsampled requests carry a valid span context too; they get no statement spans.
		if !trace.SpanFromContext(ctx).IsRecording() {
			return ctx, func(error) {}
		}
		op := operation(query)
		ctx, span := tracer.Start(ctx, op, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
			system, semconv.DBOperationName(op), semconv.DBQueryText(query[:min(len(query), maxQueryText)]),
		))
		return ctx, func(err error) {
			if err != nil {
				span.RecordError(err)
				span.SetStatus(codes.Error, "statement failed")
			}
			span.End()
		}
	})
}

// operation is the statement's first keyword (SELECT, INSERT, WITH, …), its span's name.
func operation(query string) string {
	q := strings.TrimSpace(query)
	if i := strings.IndexAny(q, " \t\n("); i > 0 {
		q = q[:i]
	}
	return strings.ToUpper(q[:min(len(q), 16)])
}

// Batch opens a span around one data loader batch; loader.Hook adapts it.
func (t *Tracing) Batch(ctx context.Context, loader string, keys int) (context.Context, func(error)) {
	if t == nil {
		return ctx, func(error) {}
	}
	ctx, span := t.tracer.Start(ctx, "loader "+loader, trace.WithAttributes(
		attribute.String("vitrine.loader", loader), attribute.Int("vitrine.loader.keys", keys),
	))
	return ctx, func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "batch failed")
		}
		span.End()
	}
}
