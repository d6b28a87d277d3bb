package live

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// traceContext is the W3C format of Event.Trace: the same traceparent header HTTP carries.
var traceContext propagation.TraceContext

// traceparent returns the W3C traceparent of the span in ctx, "" when there is none (tracing
// off, or not sampled into a valid span).
func traceparent(ctx context.Context) string {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ""
	}
	c := propagation.MapCarrier{}
	traceContext.Inject(ctx, c)
	return c.Get("traceparent")
}

// startSpan opens a span named name as a child of the publisher's span of ev, when b traces and
// the event carries a trace context; otherwise it returns ctx and a span that records nothing.
// Delivery runs outside any request: without the event's context the span would start a trace
// of its own, unconnected to the write.
func (b *Broker) startSpan(ctx context.Context, name string, ev Event, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	if b.Tracer == nil || ev.Trace == "" {
		return ctx, trace.SpanFromContext(context.Background())
	}
	ctx = traceContext.Extract(ctx, propagation.MapCarrier{"traceparent": ev.Trace})
	return b.Tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(append(attrs,
		attribute.String("vitrine.live.kind", string(ev.Kind)),
		attribute.Int("vitrine.live.product_id", ev.ProductID),
	)...))
}
