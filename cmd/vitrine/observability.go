package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/vitrinehq/vitrine/internal/config"
	"github.com/vitrinehq/vitrine/internal/metrics"
	"github.com/vitrinehq/vitrine/internal/persisted"
	"github.com/vitrinehq/vitrine/internal/replica"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/tracing"
)

// startTracing starts the OpenTelemetry SDK when the OTEL_* variables ask for it; otherwise
// it returns nil, which installs no tracing anywhere.
func startTracing(ctx context.Context, cfg config.Observability, log *slog.Logger) (*tracing.Tracing, error) {
	if !cfg.Tracing {
		return nil, nil
	}
	version := ""
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "(devel)" {
		version = bi.Main.Version
	}
	t, err := tracing.Start(ctx, cfg.TracingProtocol, version, log)
	if err != nil {
		return nil, err
	}
	log.Info("tracing to OTLP", "protocol", cfg.TracingProtocol)
	return t, nil
}

// stopTracing flushes the spans of the last requests.
func stopTracing(t *tracing.Tracing, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := t.Shutdown(ctx); err != nil {
		log.Warn("tracing: flush at shutdown failed", "err", err)
	}
}

// newMetrics returns the metrics when they are served somewhere, with the pool statistics
// of the primary and of every replica; nil otherwise, so nothing is collected in vain.
func newMetrics(cfg config.Config, st *store.Store, router *replica.Router, documents any, log *slog.Logger) (*metrics.Metrics, error) {
	if !cfg.Observability.Metrics() {
		if cfg.Production() {
			log.Info("metrics are off: set VITRINE_METRICS_ADDR to serve /metrics on an internal address")
		}
		return nil, nil
	}
	var opts metrics.Options
	if trusted, ok := documents.(*persisted.Trusted); ok {
		opts.Operations = trusted.OperationNames()
	}
	m := metrics.New(opts)
	if err := m.AddDB("primary", st.DB); err != nil {
		return nil, err
	}
	if router != nil {
		if err := m.Register(router.Collector()); err != nil {
			return nil, err
		}
		for _, p := range router.Pools() {
			if err := m.AddDB("replica "+p.Name, p.DB); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// serveMetrics exposes /metrics on its own listener, for a Prometheus that reaches an address
// the public does not.
func serveMetrics(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics listener (VITRINE_METRICS_ADDR): %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	log.Info("metrics listening", "addr", ln.Addr().String())
	return nil
}
