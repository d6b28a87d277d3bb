// Package tracing sends OpenTelemetry traces of requests — the HTTP request, the GraphQL
// operation and its root fields, data loader batches and SQL statements — to an OTLP
// collector. The binary turns it on only when the standard OTEL_* variables ask for it
// (internal/config); off, a nil *Tracing installs nothing: no middleware, no GraphQL
// extension, no driver wrapper, so the cost is a nil check at start.
package tracing

import (
	"context"
	"fmt"
	"log/slog"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// OTLP protocols, the values of OTEL_EXPORTER_OTLP_PROTOCOL that Vitrine supports.
const (
	ProtocolGRPC = "grpc"
	ProtocolHTTP = "http/protobuf"
)

// DefaultServiceName is service.name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES
// say otherwise.
const DefaultServiceName = "vitrine"

// instrumentation names the tracer, as OpenTelemetry asks instrumentation libraries to.
const instrumentation = "github.com/vitrinehq/vitrine"

// Tracing is an active tracer provider. A nil *Tracing is valid and means "off".
type Tracing struct {
	provider   trace.TracerProvider
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
	shutdown   func(context.Context) error
}

// Start builds the SDK with an OTLP exporter over protocol. The exporter reads the standard
// variables itself (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _HEADERS, _TIMEOUT, _INSECURE,
// _CERTIFICATE), the batch processor OTEL_BSP_*, the sampler OTEL_TRACES_SAMPLER and _ARG
// (default: parent-based, always on), the resource OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES. Export failures are logged to log, never returned to requests.
func Start(ctx context.Context, protocol, version string, log *slog.Logger) (*Tracing, error) {
	var (
		exp *otlptrace.Exporter
		err error
	)
	switch protocol {
	case ProtocolGRPC:
		exp, err = otlptracegrpc.New(ctx)
	case ProtocolHTTP, "":
		exp, err = otlptracehttp.New(ctx)
	default:
		return nil, fmt.Errorf("OTLP protocol %q is not supported (use %s or %s)", protocol, ProtocolHTTP, ProtocolGRPC)
	}
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	res, err := newResource(ctx, version)
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	// The SDK reports export failures through this process-wide handler (stderr by default).
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Warn("tracing: export failed", "err", err)
	}))
	t := New(tp)
	t.shutdown = tp.Shutdown
	return t, nil
}

// newResource describes this process: service.name (DefaultServiceName unless the environment
// names one), service.version, and the SDK's own attributes.
func newResource(ctx context.Context, version string) (*resource.Resource, error) {
	attrs := []resource.Option{
		resource.WithAttributes(semconv.ServiceName(DefaultServiceName)),
		resource.WithTelemetrySDK(),
		// Last, so that OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the defaults.
		resource.WithFromEnv(),
	}
	if version != "" {
		attrs = append([]resource.Option{resource.WithAttributes(semconv.ServiceVersion(version))}, attrs...)
	}
	res, err := resource.New(ctx, attrs...)
	if err != nil {
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	return res, nil
}

// New uses an existing provider, for example an SDK provider with an in-memory exporter in
// tests. Incoming trace context is read in the W3C traceparent and baggage formats.
func New(tp trace.TracerProvider) *Tracing {
	return &Tracing{
		provider:   tp,
		tracer:     tp.Tracer(instrumentation),
		propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		shutdown:   func(context.Context) error { return nil },
	}
}

// Tracer returns the tracer of Vitrine's own spans, for packages that span work outside a
// request (subscription deliveries); nil when tracing is off.
func (t *Tracing) Tracer() trace.Tracer {
	if t == nil {
		return nil
	}
	return t.tracer
}

// Shutdown flushes the spans still buffered and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.shutdown(ctx)
}
