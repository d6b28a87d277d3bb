// Package reqlog carries per-request facts that the HTTP access log reports but that only
// inner layers know, such as the GraphQL operation name and how many errors it produced.
package reqlog

import "context"

// Info is filled in while a request is served and read when it is logged. A request is handled
// by one goroutine at the GraphQL operation level, so the fields need no lock.
type Info struct {
	Operation string
	Errors    int
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
