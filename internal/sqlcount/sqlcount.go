// Package sqlcount counts each request's SQL statements in production, for the slow-operation
// log: PerRequest wraps the ent driver (through internal/sqlhook, the one statement hook, which
// tracing uses too) and adds one to the Counter in a statement's context. Tests that pin
// statement counts use internal/storetest's CountingDriver.
package sqlcount

import (
	"context"
	"sync/atomic"

	"entgo.io/ent/dialect"

	"github.com/vitrinehq/vitrine/internal/sqlhook"
)

// Counter counts one request's statements. Resolvers and batch loaders of a request run
// concurrently, so it is atomic.
type Counter struct{ n atomic.Int64 }

// Count returns the statements counted so far; a nil Counter counts nothing.
func (c *Counter) Count() int {
	if c == nil {
		return 0
	}
	return int(c.n.Load())
}

type ctxKey struct{}

// NewContext returns ctx carrying a fresh Counter, and the Counter.
func NewContext(ctx context.Context) (context.Context, *Counter) {
	c := &Counter{}
	return context.WithValue(ctx, ctxKey{}, c), c
}

// FromContext returns the request's Counter, or nil outside a counted request.
func FromContext(ctx context.Context) *Counter {
	c, _ := ctx.Value(ctxKey{}).(*Counter)
	return c
}

// PerRequest wraps d so that every statement run with a context holding a Counter (see
// NewContext) adds one to it: one context lookup and one atomic add per statement.
func PerRequest(d dialect.Driver) dialect.Driver { return sqlhook.Wrap(d, count) }

func count(ctx context.Context, _ string) (context.Context, func(error)) {
	if c := FromContext(ctx); c != nil {
		c.n.Add(1)
	}
	return ctx, nothing
}

func nothing(error) {}
