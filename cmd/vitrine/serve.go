package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/account"
	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/catalog"
	"github.com/vitrinehq/vitrine/internal/config"
	"github.com/vitrinehq/vitrine/internal/feedback"
	"github.com/vitrinehq/vitrine/internal/httpserver"
	"github.com/vitrinehq/vitrine/internal/playground"
	"github.com/vitrinehq/vitrine/internal/quiz"
	"github.com/vitrinehq/vitrine/internal/replica"
	"github.com/vitrinehq/vitrine/internal/seed"
	"github.com/vitrinehq/vitrine/internal/sqlcount"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/tracing"
	"github.com/vitrinehq/vitrine/server"
)

func serve(ctx context.Context, cfg config.Config, getenv func(string) string, stdout io.Writer, onListen func(net.Addr)) error {
	log := newLogger(cfg, stdout)
	tuneGC(getenv, log)
	if cfg.PprofAddr != "" {
		if err := servePprof(ctx, cfg.PprofAddr, log); err != nil {
			return err
		}
	} else {
		// Nobody can read the allocation profile, so do not sample it: the runtime unwinds a
		// stack every 512 KiB allocated, about 2% of the CPU of a large response.
		runtime.MemProfileRate = 0
	}
	tr, err := startTracing(ctx, cfg.Observability, log)
	if err != nil {
		return err
	}
	defer stopTracing(tr, log)
	// One Redis client per process, shared by every Redis user (nil without Redis).
	rdb, err := openRedis(ctx, cfg.Edge, log)
	if err != nil {
		return err
	}
	if rdb != nil {
		defer rdb.Close()
	}
	st, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	// A new user gets a catalog to explore at once; a production store starts empty.
	if cfg.DatabaseURL == "" && !cfg.Production() {
		if err := seedIfEmpty(ctx, cfg, st, log); err != nil {
			return err
		}
	}
	if st.Dialect == dialect.Postgres {
		go analytics.KeepFolding(ctx, st.DB, analytics.FoldInterval, log)
	}
	client, replicas, err := requestClient(ctx, cfg, log, st, rdb, tr)
	if err != nil {
		return err
	}
	defer client.Close()
	resolver, err := newResolver(cfg, log, client, st.Dialect)
	if err != nil {
		return err
	}
	broker, ws, err := newLive(ctx, cfg, st, resolver.Tokens, resolver.Accounts, tr, log)
	if err != nil {
		return err
	}
	resolver.Feedback = resolver.Feedback.WithLive(broker)
	resolver.Catalog = resolver.Catalog.WithLive(broker)
	resolver.Live, resolver.LiveInterval = broker, cfg.Live.AggregateInterval
	// After the drain and the HTTP shutdown: WebSockets are hijacked, and http.Server.Shutdown
	// leaves them open.
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ws.Shutdown(sctx)
	}()
	var draining atomic.Bool
	opts, err := serverOptions(ctx, cfg, log, st, rdb, tr, replicas)
	if err != nil {
		return err
	}
	if err := registerLive(opts.Metrics, broker, ws); err != nil {
		return err
	}
	opts.Websocket, opts.SSE = ws, cfg.Live.SSE
	opts.Draining, opts.Inflight = draining.Load, httpserver.NewInflight()
	return listenAndServe(ctx, cfg, log, server.New(resolver, opts), onListen, &draining, opts.Inflight, ws.Shutdown)
}

// requestClient is the ent client requests use, over the store's connection pool: reads
// outside transactions go to healthy read replicas when they are configured (replicas is nil
// otherwise), and every statement is counted for the slow-operation log and traced wherever it
// goes.
func requestClient(ctx context.Context, cfg config.Config, log *slog.Logger, st *store.Store, rdb *redis.Client, tr *tracing.Tracing) (client *ent.Client, replicas *replica.Router, err error) {
	d := st.Driver()
	if len(cfg.ReplicaURLs) > 0 {
		if replicas, err = newRouter(cfg, log, d, rdb); err != nil {
			return nil, nil, err
		}
		replicas.Start(ctx)
		d = replicas
	}
	// Only the slow-operation log reads the count.
	if cfg.Observability.SlowOperation > 0 {
		d = sqlcount.PerRequest(d)
	}
	return ent.NewClient(ent.Driver(tr.Driver(d))), replicas, nil
}

// newResolver builds the domain over client.
func newResolver(cfg config.Config, log *slog.Logger, client *ent.Client, dialect string) (*graph.Resolver, error) {
	tokens, err := newTokens(cfg, log)
	if err != nil {
		return nil, err
	}
	accounts, err := account.New(client, bcrypt.DefaultCost)
	if err != nil {
		return nil, err
	}
	return &graph.Resolver{
		Client:    client,
		Catalog:   catalog.New(client, dialect),
		Analytics: analytics.New(client, dialect).WithCache(analytics.NewCache(cfg.AnalyticsCacheTTL)),
		Accounts:  accounts,
		Feedback:  feedback.New(client),
		Tokens:    tokens,
		Finder:    quiz.New(client, dialect),
	}, nil
}

// serverOptions builds the request path's parts from the configuration (package server puts
// them in order), and starts the metrics listener when one is configured.
func serverOptions(ctx context.Context, cfg config.Config, log *slog.Logger, st *store.Store, rdb *redis.Client, tr *tracing.Tracing, replicas *replica.Router) (server.Options, error) {
	guards, err := newEdge(cfg.Edge, cfg.Throttle, cfg.Limits, log, rdb)
	if err != nil {
		return server.Options{}, err
	}
	met, err := newMetrics(cfg, st, replicas, guards.documents, log)
	if err != nil {
		return server.Options{}, err
	}
	if met != nil && cfg.Observability.MetricsAddr != "" {
		if err := serveMetrics(ctx, cfg.Observability.MetricsAddr, met.Handler(), log); err != nil {
			return server.Options{}, err
		}
	}
	pg, err := playground.New("Vitrine", "/graphql", "/playground/assets/", exampleQuery, playgroundOptions(cfg)...)
	if err != nil {
		return server.Options{}, err
	}
	dash, err := newDashboard(cfg, guards.documents, log)
	if err != nil {
		return server.Options{}, err
	}
	return server.Options{
		Log:            log,
		Ready:          st.Ping,
		Playground:     pg,
		Dashboard:      dash,
		CORSOrigins:    cfg.CORSOrigins,
		TrustedProxies: cfg.Edge.TrustedProxies,
		Tracing:        tr,
		Metrics:        met,
		MetricsPublic:  cfg.Observability.MetricsPublic,
		Replicas:       replicas,
		Limits:         &cfg.Limits,
		Introspection:  cfg.Introspection,
		Federation:     cfg.Federation,
		Suggestions:    cfg.Suggestions,
		Documents:      guards.documents,
		HTTPCache:      guards.cache,
		RateLimit:      guards.limits,
		Throttle:       guards.throttle,
		SlowOperation:  cfg.Observability.SlowOperation,
	}, nil
}

// listenAndServe serves until ctx ends, then shuts down without cutting a response: /readyz
// turns 503 for the drain delay while requests are still served, so a load balancer stops
// routing here; then the listener closes and in-flight requests get ShutdownTimeout to finish.
//
// endStreams (nil: none) is called once the drain is over, as the shutdown starts: event
// streams are requests that would otherwise hold the shutdown until its deadline.
func listenAndServe(ctx context.Context, cfg config.Config, log *slog.Logger, h http.Handler, onListen func(net.Addr), draining *atomic.Bool, inflight *httpserver.Inflight, endStreams func(context.Context)) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if endStreams != nil {
		srv.RegisterOnShutdown(func() {
			sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
			defer cancel()
			endStreams(sctx)
		})
	}
	log.Info("listening", "addr", ln.Addr().String(), "env", cfg.Env, "playground", "http://"+displayAddr(ln.Addr())+"/", "dashboard", "http://"+displayAddr(ln.Addr())+"/dashboard")
	if onListen != nil {
		onListen(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	draining.Store(true)
	if cfg.ShutdownDrain > 0 {
		log.Info("draining: /readyz answers 503", "drain", cfg.ShutdownDrain.String())
		// Responses now carry Connection: close (httpserver.CloseWhileDraining), so clients
		// move to the load balancer's next pick; idle connections stay open meanwhile, since
		// closing them would cut requests already on their way on them.
		select {
		case <-time.After(cfg.ShutdownDrain):
		case err := <-errc:
			return err
		}
	}
	log.Info("shutting down", "deadline", cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		n := inflight.LogAbandoned(log)
		log.Error("shutdown deadline passed: cutting the requests still running", "deadline", cfg.ShutdownTimeout.String(), "abandoned", n)
		_ = srv.Close()
		return fmt.Errorf("shutdown: VITRINE_SHUTDOWN_TIMEOUT (%s) passed with %d request(s) still running; they were cut and are logged as \"request abandoned at shutdown\"", cfg.ShutdownTimeout, n)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// servePprof exposes the runtime profiles on their own listener, never on the public one.
func servePprof(ctx context.Context, addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	log.Info("pprof listening", "addr", ln.Addr().String())
	return nil
}

// newTokens uses the configured secret, or in development one kept in the data directory, so
// that a restart does not log everyone out.
func newTokens(cfg config.Config, log *slog.Logger) (*auth.Tokens, error) {
	secret := []byte(cfg.JWTSecret)
	if len(secret) == 0 {
		var created bool
		var err error
		if secret, created, err = devSecret(cfg.DataDir); err != nil {
			return nil, err
		}
		log.Warn("VITRINE_JWT_SECRET is not set: signing tokens with the development secret in the data directory",
			"file", filepath.Join(cfg.DataDir, devSecretFile), "created", created)
	} else if len(secret) < config.MinJWTSecretBytes {
		log.Warn("VITRINE_JWT_SECRET is shorter than 32 bytes; production mode refuses this")
	}
	return auth.NewTokens(secret, cfg.JWTTTL, cfg.JWTIssuer, cfg.JWTAudience)
}

// displayAddr turns ":8080" style addresses into something a browser can open.
func displayAddr(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok && (tcp.IP == nil || tcp.IP.IsUnspecified()) {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return a.String()
}

func seedIfEmpty(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) error {
	empty, err := seed.IsEmpty(ctx, st.Client)
	if err != nil || !empty {
		return err
	}
	start := time.Now()
	stats, err := loadDemo(ctx, cfg, st)
	if err != nil {
		return err
	}
	log.Info("seeded demo catalog into the empty embedded store", "products", stats.Products,
		"categories", stats.Categories, "users", stats.Users, "reviews", stats.Reviews,
		"ratings", stats.Ratings, "took", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// exampleQuery opens the playground on a query that shows the catalog's shape.
const exampleQuery = `# Welcome to Vitrine. Press the play button (or Ctrl-Enter) to run this query.
# Try: search(query: "waterproof"), product(id: ...), category(slug: ...), node(id: ...).
query Catalog($first: Int = 5, $after: Cursor) {
  products(
    first: $first
    after: $after
    where: { priceGTE: 1000, priceLTE: 20000 }   # minor units: 10.00 to 200.00
    orderBy: [{ field: PRICE, direction: ASC }]
  ) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        name
        price { amount currencyCode }
        category { name slug parent { name } }
        reviews(first: 2) {
          totalCount
          edges { node { title author { displayName } } }
        }
      }
    }
  }
  search(query: "waterproof jacket", first: 3) {
    edges { node { name slug } }
  }
}
`
