// Package httpserver is Vitrine's HTTP edge: routing, access logs, CORS, health checks and the
// playground around the GraphQL handler.
package httpserver

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/cors"

	"github.com/vitrinehq/vitrine/internal/dashboard"
	"github.com/vitrinehq/vitrine/internal/playground"
	"github.com/vitrinehq/vitrine/internal/reqlog"
	"github.com/vitrinehq/vitrine/internal/requestid"
)

// DefaultCSP is the Content-Security-Policy of every response that does not set its own.
const DefaultCSP = "default-src 'none'; frame-ancestors 'none'"

// Options are the parts the router serves.
type Options struct {
	Log         *slog.Logger
	GraphQL     http.Handler
	Playground  *playground.Playground
	CORSOrigins []string
	// Ready reports whether the service can serve traffic (the database answers).
	Ready func(context.Context) error
	// Draining, when set and true, makes /readyz answer 503 so load balancers stop sending
	// traffic before the server shuts down.
	Draining func() bool
	// Databases, when set, details each database server in /readyz (e.g. replicas and lag).
	Databases func(context.Context) any
	// Authenticate puts the caller in the request context; it never rejects a request.
	Authenticate func(http.Handler) http.Handler
	// RateLimit throttles GraphQL requests before authentication (internal/ratelimit).
	RateLimit func(http.Handler) http.Handler
	// RequestTimeout, when positive, is the deadline of each /graphql request from its first
	// middleware on, so the rate limit store and the token's user lookup are bounded too.
	RequestTimeout time.Duration
	// TrustedProxies are the peers whose X-Request-ID is kept (see internal/requestid).
	TrustedProxies []netip.Prefix
	// Trace, when set, opens each request's trace span (internal/tracing).
	Trace func(http.Handler) http.Handler
	// Observe, when set, is told about every request once it is served, with what the
	// GraphQL layer recorded (internal/metrics).
	Observe func(r *http.Request, status int, elapsed time.Duration, info *reqlog.Info)
	// Metrics, when set, is served at /metrics on this router. Leave it nil on a public
	// listener: metrics describe traffic and internals (see internal/metrics).
	Metrics http.Handler
	// Dashboard, when set, is served at /dashboard (internal/dashboard).
	Dashboard *dashboard.Dashboard
}

// New returns the router. Middleware reads top to bottom in the order requests meet it.
func New(opts Options) http.Handler {
	r := chi.NewRouter()
	// First, so every response has them, refusals and errors included: browsers must never
	// guess a type other than the one sent (a JSON error echoing input read as HTML), and a
	// response that is not a page of ours runs nothing and is framed nowhere if one is opened
	// as a document. HTML pages replace the policy with their own (internal/playground).
	r.Use(middleware.SetHeader("X-Content-Type-Options", "nosniff"))
	r.Use(middleware.SetHeader("Content-Security-Policy", DefaultCSP))
	r.Use(requestid.Middleware(opts.TrustedProxies))
	if opts.Trace != nil {
		r.Use(opts.Trace)
	}
	r.Use(accessLog(opts.Log, opts.Observe))
	r.Use(recoverer(opts.Log))
	if len(opts.CORSOrigins) > 0 {
		r.Use(cors.Handler(cors.Options{
			AllowedOrigins: opts.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
			AllowedHeaders: []string{"Authorization", "Content-Type", "Accept"},
			// Tokens travel in the Authorization header, never cookies: no credentials mode.
			AllowCredentials: false,
			MaxAge:           600,
		}))
	}

	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Get("/readyz", readyz(opts))
	if opts.Metrics != nil {
		r.Handle("/metrics", opts.Metrics)
	}
	r.Group(func(r chi.Router) {
		if opts.RequestTimeout > 0 {
			r.Use(deadline(opts.RequestTimeout))
		}
		if opts.RateLimit != nil {
			r.Use(opts.RateLimit)
		}
		if opts.Authenticate != nil {
			r.Use(opts.Authenticate)
		}
		r.Handle("/graphql", opts.GraphQL) // its own guard (internal/limits) bounds the body
	})
	if opts.Dashboard != nil {
		r.Handle("/dashboard/assets/*", opts.Dashboard.Assets())
		r.Handle("/dashboard", opts.Dashboard.Page())
	}
	if opts.Playground != nil {
		r.Handle("/playground/assets/*", opts.Playground.Assets())
		r.Handle("/", opts.Playground.Page())
	}
	return r
}

// deadline gives each request a context that ends after d; the handler answers the timeout
// itself (GraphQL's TIMEOUT code), unlike chi's Timeout middleware, which writes a 504.
func deadline(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func readyz(opts Options) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if opts.Draining != nil && opts.Draining() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "draining"})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		status, body := http.StatusOK, map[string]any{"status": "ready", "database": "ok"}
		if err := opts.Ready(ctx); err != nil {
			// The cause is for the operator: /readyz is public, and driver errors name hosts.
			opts.Log.WarnContext(ctx, "readiness check failed", "err", err)
			status, body = http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "database": "unreachable"}
		}
		if opts.Databases != nil {
			body["databases"] = opts.Databases(ctx)
		}
		writeJSON(w, status, body)
	}
}

// accessLog writes one line per request, with the GraphQL operation name and error count that
// the GraphQL layer records in reqlog.Info, and hands the same facts to observe.
func accessLog(log *slog.Logger, observe func(*http.Request, int, time.Duration, *reqlog.Info)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			info := &reqlog.Info{}
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r.WithContext(reqlog.NewContext(r.Context(), info)))
			elapsed := time.Since(start)
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK
			}
			if observe != nil {
				observe(r, status, elapsed, info)
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Duration("duration", elapsed),
				slog.Int("bytes", ww.BytesWritten()),
				slog.String("request_id", middleware.GetReqID(r.Context())),
			}
			if r.URL.Path == "/graphql" {
				attrs = append(attrs, slog.String("operation", info.Operation), slog.Int("errors", len(info.Codes)))
			}
			log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
