package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/httpcache"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/metrics"
	"github.com/vitrinehq/vitrine/internal/ratelimit"
	"github.com/vitrinehq/vitrine/internal/replica"
	"github.com/vitrinehq/vitrine/internal/reqlog"
	"github.com/vitrinehq/vitrine/internal/throttle"
)

// responses, operations and rootFields make a middleware function a gqlgen extension, as
// handler.Server's AroundResponses, AroundOperations and AroundRootFields do, so that every
// extension can be written in one list.
type (
	responses  graphql.ResponseMiddleware
	operations graphql.OperationMiddleware
	rootFields graphql.RootFieldMiddleware
)

var (
	_ graphql.ResponseInterceptor  = responses(nil)
	_ graphql.OperationInterceptor = operations(nil)
	_ graphql.RootFieldInterceptor = rootFields(nil)
)

func (responses) ExtensionName() string                    { return "InlineResponseFunc" }
func (responses) Validate(graphql.ExecutableSchema) error  { return nil }
func (operations) ExtensionName() string                   { return "InlineOperationFunc" }
func (operations) Validate(graphql.ExecutableSchema) error { return nil }
func (rootFields) ExtensionName() string                   { return "InlineRootFieldFunc" }
func (rootFields) Validate(graphql.ExecutableSchema) error { return nil }

func (f responses) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	return f(ctx, next)
}

func (f operations) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return f(ctx, next)
}

func (f rootFields) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	return f(ctx, next)
}

// budget refuses operations over the request's cost budget; nil when no budget is set.
func budget(l limits.Limits, es graphql.ExecutableSchema) graphql.HandlerExtension {
	if l.MaxCost <= 0 && l.MaxCostAdmin <= 0 {
		return nil
	}
	return l.Budget(es)
}

// costReport puts extensions.cost on every response.
func costReport(l limits.Limits) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if resp != nil {
			if resp.Extensions == nil {
				resp.Extensions = map[string]any{}
			}
			resp.Extensions["cost"] = costExtension{CostReport: l.Report(ctx), ThrottleStatus: throttle.StatusOf(ctx)}
		}
		return resp
	}
}

// costExtension is extensions.cost: the request's cost and budget and, with the cost
// throttle on, the client's bucket after this request (Shopify's throttleStatus).
type costExtension struct {
	limits.CostReport
	ThrottleStatus *throttle.Status `json:"throttleStatus,omitempty"`
}

// httpCacheResponses decides whether a response may be cached; nil without a cache policy.
func httpCacheResponses(p *httpcache.Policy, es graphql.ExecutableSchema) graphql.HandlerExtension {
	if p == nil {
		return nil
	}
	return responses(p.Responses(es.Schema()))
}

// mutationLimit spends one token of the caller's mutation bucket per mutation; nil when off.
func mutationLimit(g *ratelimit.Guard) graphql.HandlerExtension {
	if g == nil {
		return nil
	}
	return responses(g.LimitMutations)
}

// costThrottle is t as an extension, nil when off (a nil *Throttle is not a nil extension).
func costThrottle(t *throttle.Throttle) graphql.HandlerExtension {
	if t == nil {
		return nil
	}
	return t
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

// timedOut answers TIMEOUT for a request whose deadline passed before it reached gqlgen (spent
// waiting on the rate limit store or the token's user lookup): gqlgen answers a request whose
// context has ended with a bare "null".
func timedOut(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if errors.Is(r.Context().Err(), context.DeadlineExceeded) {
			apperr.Refuse(w, r, http.StatusServiceUnavailable, string(apperr.Timeout),
				"the request took longer than the server's time limit before it could run; retry later", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// observeHTTP records every request in m; nil without metrics.
func observeHTTP(m *metrics.Metrics) func(*http.Request, int, time.Duration, *reqlog.Info) {
	if m == nil {
		return nil
	}
	return m.ObserveHTTP
}

// databases details the primary and each replica in /readyz; nil without replicas.
func databases(r *replica.Router) func(context.Context) any {
	if r == nil {
		return nil
	}
	return func(ctx context.Context) any { return r.Status(ctx) }
}

// userLookup finds a token's user. With replicas, it looks on the primary when the replica
// does not know them yet: someone who registered a moment ago must not be told they do not
// exist.
func userLookup(r *graph.Resolver, replicas *replica.Router) auth.UserLookup {
	lookup := r.Accounts.Lookup
	if replicas == nil {
		return lookup
	}
	return func(ctx context.Context, id int) (user.Role, bool, error) {
		role, found, err := lookup(ctx, id)
		if err == nil && !found {
			return lookup(replica.WithPrimary(ctx), id)
		}
		return role, found, err
	}
}

// viewerKey keys read-your-writes by user; anonymous requests have none.
func viewerKey(r *http.Request) string {
	if v := auth.FromContext(r.Context()); v != nil {
		return strconv.Itoa(v.UserID)
	}
	return ""
}
