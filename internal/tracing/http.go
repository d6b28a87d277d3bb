package tracing

import (
	"net/http"
	"net/netip"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/vitrinehq/vitrine/internal/proxy"
)

// HTTP returns the middleware that opens the server span of each request (otelhttp). A
// caller that is not one of the proxies starts a new trace, with its own trace context only
// linked: a stranger's traceparent must not decide what is sampled or whose trace our spans
// join. Requests from the proxies continue the proxy's trace. The span is named after the chi
// route pattern, known once the request is routed.
func (t *Tracing) HTTP(proxies []netip.Prefix) func(http.Handler) http.Handler {
	public := func(r *http.Request) bool { return !proxy.TrustedPeer(r, proxies) }
	if t == nil {
		return func(next http.Handler) http.Handler { return next }
	}
	mw := otelhttp.NewMiddleware("http.server",
		otelhttp.WithTracerProvider(t.provider),
		otelhttp.WithPropagators(t.propagator),
		otelhttp.WithPublicEndpointFn(public),
		// Metrics are Prometheus's job (internal/metrics).
		otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }),
	)
	return func(next http.Handler) http.Handler {
		return mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			span := trace.SpanFromContext(r.Context())
			if id := middleware.GetReqID(r.Context()); id != "" {
				span.SetAttributes(attribute.String("vitrine.request_id", id))
			}
			next.ServeHTTP(w, r)
			if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
				span.SetName(r.Method + " " + rc.RoutePattern())
				span.SetAttributes(semconv.HTTPRoute(rc.RoutePattern()))
			}
		}))
	}
}
