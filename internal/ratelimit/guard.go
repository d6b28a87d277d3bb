package ratelimit

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/proxy"
	"github.com/vitrinehq/vitrine/internal/reqlog"
)

// CodeRateLimited is the extensions.code of a throttled request (HTTP 429 with Retry-After).
const CodeRateLimited = apperr.RateLimited

// Guard applies the limits. Nil bucket sets disable their limit.
type Guard struct {
	// Requests is spent once per GraphQL request, keyed by client IP.
	Requests Buckets
	// Mutations is spent once per mutation, keyed by user (by client IP when anonymous).
	Mutations Buckets
	// Proxies are the peers whose X-Forwarded-For header is believed.
	Proxies []netip.Prefix
	Log     *slog.Logger
}

// Middleware spends a request token of the client IP (proxy.ClientIPs resolves it) and
// answers 429 when the bucket is empty. Nil Requests passes every request.
func (g *Guard) Middleware(next http.Handler) http.Handler {
	if g.Requests == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := proxy.ClientIPFrom(r.Context())
		if res := g.take(r.Context(), g.Requests, "req:"+ClientKey(ip)); !res.Allowed {
			writeLimited(w, r, res, "too many requests from your address")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// LimitMutations is the gqlgen response middleware that spends a mutation token per mutation,
// for the signed-in user or, for anonymous callers (login, register), their IP.
func (g *Guard) LimitMutations(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if g.Mutations == nil || !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Mutation {
		return next(ctx)
	}
	key := "mut:ip:" + ClientKey(proxy.ClientIPFrom(ctx))
	if v := auth.FromContext(ctx); v != nil {
		key = "mut:user:" + strconv.Itoa(v.UserID)
	}
	res := g.take(ctx, g.Mutations, key)
	if res.Allowed {
		return next(ctx)
	}
	reqlog.SetRetryAfter(ctx, res.RetryAfter)
	graphql.AddError(ctx, limitedError(res, "too many mutations"))
	return &graphql.Response{Errors: graphql.GetErrors(ctx)}
}

// take fails open: an unreachable Redis must not take the API down with it.
func (g *Guard) take(ctx context.Context, b Buckets, key string) Result {
	res, err := b.Take(ctx, key)
	if err != nil {
		g.Log.WarnContext(ctx, "rate limit store failed; request allowed", "err", err)
		return Result{Allowed: true}
	}
	return res
}

func limitedError(res Result, what string) *apperr.Error {
	return apperr.Errorf(CodeRateLimited, "%s: retry in %d s (see the Retry-After header)", what, retrySeconds(res))
}

// RetrySeconds is the Retry-After of a wait d, rounded up so that a client that waits as told
// finds what it asked for.
func RetrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

func retrySeconds(res Result) int { return RetrySeconds(res.RetryAfter) }

func writeLimited(w http.ResponseWriter, r *http.Request, res Result, what string) {
	w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(res)))
	apperr.Refuse(w, r, http.StatusTooManyRequests, string(CodeRateLimited), limitedError(res, what).Message, nil)
}

// Refusals turns the response of a request that the GraphQL layer refused for a rate limit or
// the cost throttle (reqlog.SetRetryAfter) into a 429 with Retry-After: the refusal is decided
// after the handler started, and the status is written here when the response starts.
func Refusals(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&refusalWriter{ResponseWriter: w, info: reqlog.FromContext(r.Context())}, r)
	})
}

type refusalWriter struct {
	http.ResponseWriter
	info        *reqlog.Info
	wroteHeader bool
}

func (w *refusalWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	if w.info != nil && w.info.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(RetrySeconds(w.info.RetryAfter)))
		status = http.StatusTooManyRequests
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *refusalWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *refusalWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ClientKey names a client's bucket: its IPv4 address, or its IPv6 /64, since one host
// usually holds a whole /64 and could otherwise rotate through fresh buckets.
func ClientKey(ip netip.Addr) string {
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}
