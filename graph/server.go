package graph

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/httpcache"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/live"
	"github.com/vitrinehq/vitrine/internal/metrics"
	"github.com/vitrinehq/vitrine/internal/persisted"
	"github.com/vitrinehq/vitrine/internal/ratelimit"
	"github.com/vitrinehq/vitrine/internal/throttle"
	"github.com/vitrinehq/vitrine/internal/tracing"
)

// ServerOptions configure the GraphQL handler.
type ServerOptions struct {
	Log           *slog.Logger
	Introspection bool
	// Suggestions keeps gqlparser's "Did you mean …?" hints in validation errors.
	Suggestions bool
	// Limits bound each request (internal/limits); nil means limits.Defaults().
	Limits *limits.Limits
	// Documents resolves persisted documents: gqlgen's APQ extension or internal/persisted's
	// trusted documents. Nil accepts full documents only.
	Documents graphql.HandlerExtension
	// HTTPCache, when set, lets shared caches keep public GET responses (internal/httpcache).
	HTTPCache *httpcache.Policy
	// RateLimit, when set, throttles mutations per user (internal/ratelimit; its HTTP
	// middleware must run in front of the handler).
	RateLimit *ratelimit.Guard
	// Throttle, when set, spends each operation's cost from its client's bucket and bounds the
	// expensive operations running at once (internal/throttle).
	Throttle *throttle.Throttle
	// Metrics, when set, records data loader batch sizes; the HTTP layer records the rest
	// from what this handler puts in reqlog.Info.
	Metrics *metrics.Metrics
	// Tracing, when set, spans each operation, its root fields and its loader batches.
	Tracing *tracing.Tracing
	// SlowOperation logs operations that take at least this long, with their cost and SQL
	// statement count; 0 logs none.
	SlowOperation time.Duration
	// Websocket, when set, serves subscriptions over WebSocket upgrades of /graphql
	// (internal/live).
	Websocket *live.Websocket
}

// NewHandler builds the GraphQL HTTP handler explicitly: only the transports Vitrine serves,
// the error presenter and panic recovery, pagination limits, and entgql's transactioner so
// that each mutation runs in one transaction.
func NewHandler(r *Resolver, opts ServerOptions) http.Handler {
	lim := serverLimits(opts)
	es := limits.Cost(NewExecutableSchema(Config{
		Resolvers:  r,
		Directives: DirectiveRoot{Auth: Auth},
	}))
	srv := handler.New(es)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	if opts.Websocket != nil {
		srv.AddTransport(opts.Websocket.Transport())
	}
	if t := opts.Tracing.GraphQL(); t != nil {
		// First, so the operation's span covers every other extension's work.
		srv.Use(t)
	}
	useLimits(srv, es, lru.New[*ast.QueryDocument](1000), lim, opts.Suggestions)
	srv.Use(introspectionPolicy(opts.Introspection))
	if opts.Documents != nil {
		srv.Use(opts.Documents)
	}
	if opts.HTTPCache != nil {
		// Outermost, so it sees every error the other middleware add.
		srv.AroundResponses(opts.HTTPCache.Responses(es.Schema()))
	}
	srv.AroundResponses(observe(lim, opts.Log, opts.SlowOperation))
	// Registered before the transactioner, so it runs after the commit.
	srv.AroundResponses(invalidateAnalytics(r.Analytics))
	// Refusals come before the transactioner, so a refused mutation opens no transaction:
	// the credential check first (a forged token spends nobody's mutations or points), then the
	// mutation rate limit and the cost throttle (a waiting operation holds no transaction).
	srv.AroundResponses(rejectBadCredentials)
	if opts.RateLimit != nil {
		srv.AroundResponses(opts.RateLimit.LimitMutations)
	}
	if opts.Throttle != nil {
		srv.Use(opts.Throttle)
	}
	srv.Use(transactioner{entgql.Transactioner{TxOpener: r.Client}})
	// Before the request state, so a retried query gets fresh loaders.
	srv.AroundOperations(retryBrokenReplicaReads)
	srv.AroundOperations(withRequestState(r, batchHook(opts.Metrics, opts.Tracing), opts.SlowOperation > 0))
	srv.AroundRootFields(authorizeRootFields) // @auth before arguments are decoded
	presenter := ErrorPresenter(opts.Log)
	if !opts.Suggestions {
		presenter = withoutSuggestions(presenter)
	}
	srv.SetErrorPresenter(presenter)
	srv.SetRecoverFunc(Recover(opts.Log))
	h := HTTPStatus(srv)
	if opts.Throttle != nil {
		h = opts.Throttle.HTTP(h)
	}
	if opts.Documents != nil {
		h = persisted.DocumentIDs(h)
	}
	if opts.HTTPCache != nil {
		h = opts.HTTPCache.Middleware(h)
	}
	// Outermost: transport limits (body size, media type, batches) refuse before anything reads.
	h = guardHTTP(lim, h)
	if opts.Websocket != nil {
		h = upgrades(opts.Websocket.Handler(srv), h)
	}
	return h
}

// upgrades sends WebSocket upgrades to ws: they carry no body for the HTTP guards to check,
// and outlive the request deadline.
func upgrades(ws, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if live.IsUpgrade(r) {
			ws.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// invalidateAnalytics drops cached analytics after every mutation: any write may change a
// rating or review aggregate, and this process's clients must see their own changes at once.
func invalidateAnalytics(a *analytics.Analytics) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if a != nil && graphql.HasOperationContext(ctx) {
			if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Mutation {
				a.Invalidate()
			}
		}
		return resp
	}
}
