package throttle

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/proxy"
	"github.com/vitrinehq/vitrine/internal/ratelimit"
	"github.com/vitrinehq/vitrine/internal/reqlog"
)

// CodeThrottled is the extensions.code of an operation refused because its client's bucket
// holds fewer points than it costs (HTTP 429 with Retry-After).
const CodeThrottled = apperr.Throttled

// Throttle applies the cost buckets and the concurrency bound to GraphQL operations, priced
// by the cost budget's complexity walker (internal/limits): without the budget extension an
// operation has no cost and passes. It is a gqlgen handler extension, and HTTP middleware
// that must wrap the GraphQL handler (inside proxy.ClientIPs, which resolves the client IP,
// and ratelimit.Refusals, which answers its refusals with 429). Either part may be nil.
type Throttle struct {
	// Buckets are spent once per operation, keyed by user, or by client IP when anonymous.
	Buckets Buckets
	// Gate bounds the expensive operations running at once.
	Gate *Gate
	Log  *slog.Logger
}

// request is where the GraphQL layer leaves the client's bucket for extensions.cost.
type request struct {
	status *Status
}

type ctxKey struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
	graphql.OperationContextMutator
} = (*Throttle)(nil)

// ExtensionName implements graphql.HandlerExtension.
func (*Throttle) ExtensionName() string { return "VitrineThrottle" }

// Validate implements graphql.HandlerExtension.
func (*Throttle) Validate(graphql.ExecutableSchema) error { return nil }

// HTTP gives each request the place where its operation leaves the client's bucket, which
// the cost report outside the throttle reads (StatusOf).
func (t *Throttle) HTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, &request{})))
	})
}

// StatusOf returns the bucket state after the request's operation spent its cost, or nil
// when nothing was spent (no throttle, a request refused before it had a cost, a failed store).
func StatusOf(ctx context.Context) *Status {
	if req, ok := ctx.Value(ctxKey{}).(*request); ok {
		return req.status
	}
	return nil
}

// InterceptResponse implements graphql.ResponseInterceptor: it spends the operation's cost,
// refusing the operation when the bucket is short, then waits at the gate if the operation is
// expensive. It runs before anything executes, so a refused or waiting operation holds no
// transaction or connection.
func (t *Throttle) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	// Requests refused before execution (validation, budget) reach here with their errors.
	if !graphql.HasOperationContext(ctx) || len(graphql.GetErrors(ctx)) > 0 {
		return next(ctx)
	}
	if op := graphql.GetOperationContext(ctx); op.Operation != nil && op.Operation.Operation == ast.Subscription {
		// Charged when it started (MutateOperationContext); gqlgen runs the response
		// interceptors once per event, and events are free.
		return next(ctx)
	}
	req, _ := ctx.Value(ctxKey{}).(*request)
	if req == nil {
		return next(ctx)
	}
	stats := extension.GetComplexityStats(ctx)
	if stats == nil {
		return next(ctx)
	}
	status, err := t.spend(ctx, stats.Complexity)
	req.status = status
	if err != nil {
		graphql.AddError(ctx, err)
		return &graphql.Response{Errors: graphql.GetErrors(ctx)}
	}
	if t.Gate != nil {
		release, err := t.Gate.Enter(ctx, stats.Complexity)
		if err != nil {
			graphql.AddError(ctx, gateError(err))
			return &graphql.Response{Errors: graphql.GetErrors(ctx)}
		}
		defer release()
	}
	return next(ctx)
}

// spend takes cost from the caller's bucket. When the bucket is short it reports the
// THROTTLED error; a failing store lets the operation through.
func (t *Throttle) spend(ctx context.Context, cost int) (*Status, error) {
	if t.Buckets == nil {
		return nil, nil
	}
	spend, err := t.Buckets.Spend(ctx, t.key(ctx), cost)
	if err != nil {
		// Fail open, as the rate limits do: an unreachable Redis must not take the API down.
		t.Log.WarnContext(ctx, "cost throttle store failed; operation allowed", "err", err)
		return nil, nil
	}
	if !spend.Allowed {
		reqlog.SetRetryAfter(ctx, spend.RetryAfter)
		return &spend.Status, apperr.Errorf(CodeThrottled,
			"throttled: this operation costs %d points and %d of your %d are left (%d restored a second); "+
				"retry in %d s (see the Retry-After header and extensions.cost.throttleStatus), or ask for less",
			cost, spend.Status.CurrentlyAvailable, spend.Status.MaximumAvailable, spend.Status.RestoreRate, ratelimit.RetrySeconds(spend.RetryAfter))
	}
	return &spend.Status, nil
}

// MutateOperationContext charges a subscription once, when it starts, and lets its events
// through free: they are bounded by the coalescing interval and the per-connection caps, not by
// what the client asks. A subscription the bucket cannot pay for is refused with THROTTLED
// before it runs. It never waits at the gate: it waits for events for as long as the client
// listens, and would hold the gate's room all that time. Queries and mutations are charged
// in InterceptResponse, where they can wait.
func (t *Throttle) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil || op.Operation.Operation != ast.Subscription {
		return nil
	}
	// The budget's extension, registered before this one, has priced the operation.
	stats := extension.GetComplexityStats(graphql.WithOperationContext(ctx, op))
	if stats == nil {
		return nil
	}
	if _, err := t.spend(ctx, stats.Complexity); err != nil {
		// The error presenter finds the THROTTLED code through Err.
		msg := err.Error()
		if e, ok := apperr.As(err); ok {
			msg = e.Message
		}
		return &gqlerror.Error{Message: msg, Err: err}
	}
	return nil
}

// key names the client's bucket: the user when signed in (whatever address they come from),
// else the client IP (its /64 for IPv6), as the rate limits key theirs.
func (t *Throttle) key(ctx context.Context) string {
	if v := auth.FromContext(ctx); v != nil {
		return "user:" + strconv.Itoa(v.UserID)
	}
	return "ip:" + ratelimit.ClientKey(proxy.ClientIPFrom(ctx))
}

func gateError(err error) *apperr.Error {
	e := apperr.Errorf(apperr.Timeout, "the server is busy with other expensive operations and none finished "+
		"within this request's time limit; retry later, or ask for less: cheaper operations do not wait")
	if !errors.Is(err, context.DeadlineExceeded) {
		e.Err = err // the client went away; logged, never shown
	}
	return e
}
