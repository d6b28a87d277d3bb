// Package httpserver holds the HTTP edge's own layers — security headers' default policy,
// access log, panic recovery, CORS, the request deadline, health and readiness checks, and
// graceful draining — as plain handlers and middleware. Package server puts them in order
// around the GraphQL handler.
package httpserver

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/cors"

	"github.com/vitrinehq/vitrine/internal/reqlog"
)

// DefaultCSP is the Content-Security-Policy of every response that does not set its own.
const DefaultCSP = "default-src 'none'; frame-ancestors 'none'"

// CORS allows cross-origin requests from origins ("*" for any); nil when origins is empty,
// which allows none.
func CORS(origins []string) func(http.Handler) http.Handler {
	if len(origins) == 0 {
		return nil
	}
	return cors.Handler(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: []string{"Authorization", "Content-Type", "Accept"},
		// Tokens travel in the Authorization header, never cookies: no credentials mode.
		AllowCredentials: false,
		MaxAge:           600,
	})
}

// Deadline gives each request a context that ends after d; the handler answers the timeout
// itself (GraphQL's TIMEOUT code), unlike chi's Timeout middleware, which writes a 504.
func Deadline(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// Healthz answers that the process is up.
func Healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// Readiness is what /readyz checks.
type Readiness struct {
	Log *slog.Logger
	// Ready reports whether the service can serve traffic (the database answers).
	Ready func(context.Context) error
	// Draining, when set and true, makes /readyz answer 503 so load balancers stop sending
	// traffic before the server shuts down.
	Draining func() bool
	// Databases, when set, details each database server in /readyz (e.g. replicas and lag).
	Databases func(context.Context) any
}

// Readyz answers 200 while the database answers and the process is not draining, 503
// otherwise; the cause of a failure goes to the log, never to the public response.
func Readyz(opts Readiness) http.HandlerFunc {
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

// AccessLog writes one line per request, with the GraphQL operation name and error count that
// the GraphQL layer records in reqlog.Info, and hands the same facts to observe (nil: none).
func AccessLog(log *slog.Logger, observe func(*http.Request, int, time.Duration, *reqlog.Info)) func(http.Handler) http.Handler {
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
