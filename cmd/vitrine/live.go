package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/vitrinehq/vitrine/internal/account"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/config"
	"github.com/vitrinehq/vitrine/internal/live"
	"github.com/vitrinehq/vitrine/internal/metrics"
	"github.com/vitrinehq/vitrine/internal/proxy"
	"github.com/vitrinehq/vitrine/internal/ratelimit"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/tracing"
)

// newLive builds the subscription broker — over Postgres LISTEN/NOTIFY when the store is
// Postgres, so every process sees every write, in-process otherwise; traced when tr is on —
// and the WebSocket transport.
func newLive(ctx context.Context, cfg config.Config, st *store.Store, tokens *auth.Tokens, accounts *account.Accounts, tr *tracing.Tracing, log *slog.Logger) (*live.Broker, *live.Websocket, error) {
	broker := live.NewBroker(cfg.Live.Buffer)
	broker.Tracer = tr.Tracer() // before the listener starts delivering
	if cfg.DatabaseURL != "" {
		if err := broker.ListenPostgres(ctx, cfg.DatabaseURL, st.DB, log); err != nil {
			return nil, nil, err
		}
	}
	ws := &live.Websocket{
		Origins:                 cfg.CORSOrigins,
		InitTimeout:             cfg.Live.InitTimeout,
		PingInterval:            cfg.Live.PingInterval,
		WriteTimeout:            cfg.Live.WriteTimeout,
		MaxSubscriptions:        cfg.Live.MaxSubscriptions,
		MaxConnections:          cfg.Live.MaxConnections,
		MaxConnectionsPerClient: cfg.Live.MaxConnectionsPerIP,
		ClientKey: func(r *http.Request) string {
			return ratelimit.ClientKey(proxy.ClientIP(r, cfg.Edge.TrustedProxies))
		},
		// A deleted user's or a demoted admin's subscriptions end within a minute.
		Recheck:         auth.Recheck(accounts.Lookup),
		RecheckInterval: time.Minute,
		Log:             log,
		Authenticate: func(ctx context.Context, authorization string) (context.Context, time.Time, error) {
			return tokens.Session(ctx, authorization, accounts.Lookup)
		},
	}
	return broker, ws, nil
}

// registerLive adds the subscriptions' collectors to the metrics, when they are on.
func registerLive(met *metrics.Metrics, broker *live.Broker, ws *live.Websocket) error {
	if met == nil {
		return nil
	}
	for _, c := range live.Collectors(broker, ws) {
		if err := met.Register(c); err != nil {
			return err
		}
	}
	return nil
}
