package server

// This file is the request path, top to bottom; doc.go says what the package is.

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/dashboard"
	"github.com/vitrinehq/vitrine/internal/httpcache"
	"github.com/vitrinehq/vitrine/internal/httpserver"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/live"
	"github.com/vitrinehq/vitrine/internal/metrics"
	"github.com/vitrinehq/vitrine/internal/persisted"
	"github.com/vitrinehq/vitrine/internal/playground"
	"github.com/vitrinehq/vitrine/internal/proxy"
	"github.com/vitrinehq/vitrine/internal/ratelimit"
	"github.com/vitrinehq/vitrine/internal/replica"
	"github.com/vitrinehq/vitrine/internal/scalar"
	"github.com/vitrinehq/vitrine/internal/throttle"
	"github.com/vitrinehq/vitrine/internal/tracing"
)

// Options are the parts the request path is built from; nil or zero turns a layer off.
type Options struct {
	Log *slog.Logger
	// Ready reports whether the primary database answers (/readyz).
	Ready func(context.Context) error
	// Draining, when true, makes /readyz answer 503 and every response ask for its connection
	// to close (graceful shutdown).
	Draining func() bool
	// Inflight, when set, tracks the requests being served, so a shutdown that runs out of
	// time can log the ones it cuts.
	Inflight *httpserver.Inflight
	// Playground is served at / and /playground/assets/.
	Playground *playground.Playground
	// Dashboard, when set, is served at /dashboard and /dashboard/assets/ (internal/dashboard).
	Dashboard   *dashboard.Dashboard
	CORSOrigins []string
	// TrustedProxies are the peers whose X-Forwarded-For, X-Request-ID and traceparent are
	// believed.
	TrustedProxies []netip.Prefix
	// Tracing spans each request, operation, root field and loader batch.
	Tracing *tracing.Tracing
	// Metrics records every request and loader batch; MetricsPublic also serves /metrics on
	// this router (never on a public listener without a proxy in front).
	Metrics       *metrics.Metrics
	MetricsPublic bool
	// Replicas sends reads outside transactions to read replicas (read-your-writes per user).
	Replicas *replica.Router
	// Limits bound each request (internal/limits); nil means limits.Defaults().
	Limits        *limits.Limits
	Introspection bool
	// Federation answers the Apollo Federation subgraph fields _entities and _service
	// (graph/subgraph.go); without it they are refused.
	Federation bool
	// Suggestions keeps gqlparser's "Did you mean …?" hints in validation errors.
	Suggestions bool
	// Documents resolves persisted documents: gqlgen's APQ extension or internal/persisted's
	// trusted documents. Nil accepts full documents only.
	Documents graphql.HandlerExtension
	// HTTPCache lets shared caches keep public GET responses.
	HTTPCache *httpcache.Policy
	// RateLimit spends a token per request (per client IP) and per mutation (per user).
	RateLimit *ratelimit.Guard
	// Throttle spends each operation's cost from its client's bucket and bounds the expensive
	// operations running at once.
	Throttle *throttle.Throttle
	// SlowOperation logs operations that take at least this long, with their cost and SQL
	// statement count; 0 logs none.
	SlowOperation time.Duration
	// Websocket, when set, serves subscriptions over WebSocket upgrades of /graphql
	// (internal/live).
	Websocket *live.Websocket
	// SSE also serves subscriptions as Server-Sent Events (POST /graphql with Accept:
	// text/event-stream), under Websocket's settings and connection caps; it needs Websocket.
	SSE bool
}

// New returns the HTTP handler of the whole service around r.
func New(r *graph.Resolver, o Options) http.Handler {
	lim := limits.Defaults()
	if o.Limits != nil {
		lim = *o.Limits
	}
	rt := chi.NewRouter()
	// First, so every response has them, refusals and errors included: browsers must never
	// guess a type other than the one sent (a JSON error echoing input read as HTML), and a
	// response that is not a page of ours runs nothing and is framed nowhere if one is opened
	// as a document. HTML pages replace the policy with their own (internal/playground).
	rt.Use(middleware.SetHeader("X-Content-Type-Options", "nosniff"))
	rt.Use(middleware.SetHeader("Content-Security-Policy", httpserver.DefaultCSP))
	rt.Use(proxy.RequestIDs(o.TrustedProxies))
	rt.Use(o.Tracing.HTTP(o.TrustedProxies))
	rt.Use(httpserver.AccessLog(o.Log, observeHTTP(o.Metrics)))
	rt.Use(httpserver.Recoverer(o.Log))
	use(rt, httpserver.CORS(o.CORSOrigins))

	rt.Get("/healthz", httpserver.Healthz)
	rt.Get("/readyz", httpserver.Readyz(httpserver.Readiness{Log: o.Log, Ready: o.Ready, Draining: o.Draining, Databases: databases(o.Replicas)}))
	if o.Metrics != nil && o.MetricsPublic {
		rt.Handle("/metrics", o.Metrics.Handler())
	}
	rt.Group(func(g chi.Router) {
		if o.Websocket != nil && o.SSE {
			g.Use(live.StreamBase) // an event stream outlives the deadline below, not its client
		}
		// The deadline starts before the rate limit store and the token's user lookup.
		if lim.RequestTimeout > 0 {
			g.Use(httpserver.Deadline(lim.RequestTimeout))
		}
		if o.RateLimit != nil || o.Throttle != nil {
			g.Use(proxy.ClientIPs(o.TrustedProxies)) // the client IP, resolved once for the limits below
		}
		if o.RateLimit != nil {
			g.Use(o.RateLimit.Middleware) // one token of the client IP's bucket, before authentication
		}
		if r.Tokens != nil {
			g.Use(r.Tokens.Middleware(userLookup(r, o.Replicas))) // the viewer; never refuses
		}
		if o.Inflight != nil {
			g.Use(httpserver.Identify) // the request ID of a request cut at shutdown
		}
		if o.Replicas != nil {
			g.Use(o.Replicas.Middleware(viewerKey)) // read-your-writes: who wrote lately reads the primary
		}
		gql := graphQL(r, o, lim)
		if o.Websocket != nil {
			// A WebSocket upgrade carries no body for the layers below to check and outlives
			// the request deadline: it goes to the subscriptions' transport from here.
			g.Use(upgrades(o.Websocket.Handler(gql)))
		}
		g.Use(lim.Guard) // transport limits (body size, media type, batches), refused before anything reads
		g.Use(timedOut)
		if o.HTTPCache != nil {
			g.Use(o.HTTPCache.Middleware) // Cache-Control, ETag, 304
		}
		if o.Documents != nil {
			g.Use(persisted.DocumentIDs)
		}
		if o.RateLimit != nil || o.Throttle != nil {
			g.Use(ratelimit.Refusals) // 429 and Retry-After for an operation refused below
		}
		if o.Throttle != nil {
			g.Use(o.Throttle.HTTP) // where the operation leaves the bucket for extensions.cost
		}
		g.Use(graph.HTTPStatus)
		g.Handle("/graphql", gql)
	})
	if o.Dashboard != nil {
		rt.Handle("/dashboard/assets/*", o.Dashboard.Assets())
		rt.Handle("/dashboard", o.Dashboard.Page())
	}
	if o.Playground != nil {
		rt.Handle("/playground/assets/*", o.Playground.Assets())
		rt.Handle("/", o.Playground.Page())
	}
	var h http.Handler = rt
	if o.Draining != nil {
		h = httpserver.CloseWhileDraining(o.Draining, h)
	}
	if o.Inflight != nil {
		h = o.Inflight.Track(h)
	}
	return h
}

// graphQL is gqlgen's handler with only the transports Vitrine serves and its extensions.
func graphQL(r *graph.Resolver, o Options, lim limits.Limits) http.Handler {
	es := limits.Cost(graph.NewExecutableSchema(graph.Config{
		Resolvers:  r,
		Directives: graph.DirectiveRoot{Auth: graph.Auth},
	}))
	srv := handler.New(es)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	if o.Websocket != nil && o.SSE {
		srv.AddTransport(o.Websocket.SSE()) // before POST, which would take its requests too
	}
	srv.AddTransport(transport.POST{})
	if o.Websocket != nil {
		srv.AddTransport(o.Websocket.Transport())
	}
	cache := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(cache)
	if lim.MaxTokens > 0 {
		srv.SetParserTokenLimit(lim.MaxTokens)
	}
	srv.SetDisableSuggestion(!o.Suggestions)
	srv.SetValidationRulesFn(func() *rules.Rules { return lim.Rules(o.Suggestions) })
	presenter := graph.ErrorPresenter(o.Log)
	if !o.Suggestions {
		presenter = graph.WithoutSuggestions(presenter)
	}
	srv.SetErrorPresenter(presenter)
	srv.SetRecoverFunc(graph.Recover(o.Log))

	// gqlgen runs the first registered extension outermost: each one below wraps the rest.
	for _, x := range []graphql.HandlerExtension{
		o.Tracing.GraphQL(), // the operation's span covers every other extension's work
		live.Transports{SSE: o.Websocket != nil && o.SSE}, // subscriptions on connections only, streams for subscriptions only
		limits.Extension{Limits: lim, Cache: cache},       // static limits, cached with the document
		// Before the budget: the cost is computed from numbers the executor accepts, never from
		// a numeric string it would read differently.
		scalar.Variables{Schema: es.Schema()},
		budget(lim, es),
		responses(costReport(lim)), // extensions.cost on every response
		graph.IntrospectionPolicy(o.Introspection),
		graph.SubgraphPolicy(o.Federation, o.Introspection),
		o.Documents,
		// Outside observe and the refusals, so it sees every error they add.
		httpCacheResponses(o.HTTPCache, es),
		responses(observe(lim, o.Log, o.SlowOperation)), // outside the transactioner: sees commit errors
		responses(invalidateAnalytics(r.Analytics)),     // outside the transactioner: runs after the commit
		// Refusals come before the transactioner, so a refused mutation opens no transaction:
		// the credential check first (a forged token spends nobody's mutations or points), then
		// the mutation rate limit and the cost throttle (a waiting operation holds no transaction).
		responses(graph.RejectBadCredentials),
		mutationLimit(o.RateLimit),
		costThrottle(o.Throttle),
		graph.Transactioner(r.Client), // each mutation in one transaction
		// Before the request state, so a retried query gets fresh loaders.
		operations(retryBrokenReplicaReads),
		operations(withRequestState(r, batchHook(o.Metrics, o.Tracing), o.SlowOperation > 0)),
		rootFields(graph.AuthorizeRootFields), // @auth before arguments are decoded
	} {
		if x != nil {
			srv.Use(x)
		}
	}
	return srv
}

// upgrades sends WebSocket upgrades to ws and every other request on.
func upgrades(ws http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if live.IsUpgrade(r) {
				ws.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// use installs mw unless it is nil (a layer that is off).
func use(r chi.Router, mw func(http.Handler) http.Handler) {
	if mw != nil {
		r.Use(mw)
	}
}
