package analytics

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/vitrinehq/vitrine/ent"
)

// cacheSize bounds the number of remembered answers; dashboards ask a handful of questions.
const cacheSize = 512

// Cache remembers analytics answers for a short TTL, because dashboards poll the same
// questions. Writes made by this process invalidate it at once (Invalidate); writes made by
// other replicas show within the TTL.
type Cache struct {
	lru *expirable.LRU[string, any]
	// generation is part of every key, so Invalidate drops all entries in O(1).
	generation atomic.Uint64
}

// NewCache returns a cache with the given TTL, or nil (no caching) when ttl is 0.
func NewCache(ttl time.Duration) *Cache {
	if ttl <= 0 {
		return nil
	}
	return &Cache{lru: expirable.NewLRU[string, any](cacheSize, nil, ttl)}
}

// Invalidate forgets every cached answer.
func (c *Cache) Invalidate() {
	if c != nil {
		c.generation.Add(1)
	}
}

// Invalidate forgets a's cached answers; the GraphQL layer calls it after every mutation.
func (a *Analytics) Invalidate() { a.cache.Invalidate() }

// WithCache makes a return cached answers.
func (a *Analytics) WithCache(c *Cache) *Analytics {
	a.cache = c
	return a
}

// cached returns the answer for key, computing it with fn on a miss. Inside a transaction it
// always computes: a mutation's response must see its own uncommitted writes.
func cached[T any](ctx context.Context, a *Analytics, key string, fn func() (T, error)) (T, error) {
	if a.cache == nil || ent.TxFromContext(ctx) != nil {
		return fn()
	}
	k := fmt.Sprintf("%d|%s", a.cache.generation.Load(), key)
	if v, ok := a.cache.lru.Get(k); ok {
		return v.(T), nil
	}
	v, err := fn()
	if err == nil {
		a.cache.lru.Add(k, v)
	}
	return v, err
}

// key renders a filter for cache keys.
func (f Filter) key() string {
	s := ""
	if f.ProductID != nil {
		s += fmt.Sprintf("p%d", *f.ProductID)
	}
	if f.CategoryID != nil {
		s += fmt.Sprintf("c%d", *f.CategoryID)
	}
	if f.From != nil {
		s += "f" + f.From.UTC().Format(time.RFC3339Nano)
	}
	if f.To != nil {
		s += "t" + f.To.UTC().Format(time.RFC3339Nano)
	}
	return s
}
