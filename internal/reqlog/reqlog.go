// Package reqlog is a request's log: the facts the HTTP access log and the metrics report but
// only inner layers know (Info: the GraphQL operation, how long it ran, the codes of the errors
// it produced), and the slog handler that stamps every line logged with a request's context
// with its request and trace IDs (Handler).
package reqlog

import (
	"context"
	"time"
)

// Info is filled in while a request is served and read when it is logged. A request is handled
// by one goroutine at the GraphQL operation level, so the fields need no lock.
type Info struct {
	Operation string
	// OperationType is "query" or "mutation" once the document's operation is known, empty
	// for requests refused before (parse errors, transport limits).
	OperationType string
	// Codes holds the extensions.code of every error the client was sent, in order; its
	// length is the request's error count.
	Codes []string
	// Duration is how long the GraphQL operation took, from reading the request to the
	// response (gqlgen's operation start); zero when no operation ran.
	Duration time.Duration
	// RetryAfter, when positive, says the GraphQL layer refused the operation for a rate limit
	// or the cost throttle after the HTTP handler started: the response is a 429 with
	// Retry-After (ratelimit.Refusals).
	RetryAfter time.Duration
	// Stream says the response was an event stream (a subscription over Server-Sent Events):
	// its duration is how long the client listened, not how long the server took.
	Stream bool
}

// SetRetryAfter records that the request was refused until wait has passed; it does nothing
// outside a logged request.
func SetRetryAfter(ctx context.Context, wait time.Duration) {
	if info := FromContext(ctx); info != nil {
		info.RetryAfter = max(wait, time.Nanosecond)
	}
}

// AddCode records the code of an error answered outside the GraphQL error presenter (for
// example a transport limit); it does nothing outside a logged request.
func AddCode(ctx context.Context, code string) {
	if info := FromContext(ctx); info != nil {
		info.Codes = append(info.Codes, code)
	}
}

type ctxKey struct{}

// NewContext returns ctx carrying info.
func NewContext(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, ctxKey{}, info)
}

// FromContext returns the request's Info, or nil outside a logged request.
func FromContext(ctx context.Context) *Info {
	info, _ := ctx.Value(ctxKey{}).(*Info)
	return info
}
