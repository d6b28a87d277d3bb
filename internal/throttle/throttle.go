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
		return t.subscription(ctx, op, next)
	}
	req, _ := ctx.Value(ctxKey{}).(*request)
	if req == nil {
		return next(ctx)
	}
	stats := extension.GetComplexityStats(ctx)
	if stats == nil {
		return next(ctx)
	}
	status, ok := t.spend(ctx, stats.Complexity)
	req.status = status
	if !ok {
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

// spend takes cost from the caller's bucket. When the bucket is short it adds the THROTTLED
// error to ctx and reports false; a failing store lets the operation through.
func (t *Throttle) spend(ctx context.Context, cost int) (*Status, bool) {
	if t.Buckets == nil {
		return nil, true
	}
	spend, err := t.Buckets.Spend(ctx, t.key(ctx), cost)
	if err != nil {
		// Fail open, as the rate limits do: an unreachable Redis must not take the API down.
		t.Log.WarnContext(ctx, "cost throttle store failed; operation allowed", "err", err)
		return nil, true
	}
	if !spend.Allowed {
		reqlog.SetRetryAfter(ctx, spend.RetryAfter)
		graphql.AddError(ctx, apperr.Errorf(CodeThrottled,
			"throttled: this operation costs %d points and %d of your %d are left (%d restored a second); "+
				"retry in %d s (see the Retry-After header and extensions.cost.throttleStatus), or ask for less",
			cost, spend.Status.CurrentlyAvailable, spend.Status.MaximumAvailable, spend.Status.RestoreRate, ratelimit.RetrySeconds(spend.RetryAfter)))
		return &spend.Status, false
	}
	return &spend.Status, true
}

// Marks of a subscription's charge, kept in its operation's stats.
const (
	chargeMark = "VitrineThrottleCharge"
	charged    = "charged"
	refused    = "refused"
)

// subscription charges a subscription once, when it starts — gqlgen runs the response
// interceptors once per event, around the wait for it — and lets its events through free:
// they are bounded by the coalescing interval and the per-connection caps, not by what the
// client asks. A subscription the bucket cannot pay for gets the THROTTLED error and ends.
// It never waits at the gate: it waits for events for as long as the client listens, and
// would hold the gate's room all that time.
func (t *Throttle) subscription(ctx context.Context, op *graphql.OperationContext, next graphql.ResponseHandler) *graphql.Response {
	switch op.Stats.GetExtension(chargeMark) {
	case charged:
		return next(ctx)
	case refused:
		return nil // the end of the stream, after the refusal
	}
	stats := extension.GetComplexityStats(ctx)
	if stats != nil {
		if _, ok := t.spend(ctx, stats.Complexity); !ok {
			op.Stats.SetExtension(chargeMark, refused)
			return &graphql.Response{Errors: graphql.GetErrors(ctx)}
		}
	}
	op.Stats.SetExtension(chargeMark, charged)
	return next(ctx)
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
