// Package ratelimit throttles clients with token buckets: GraphQL requests per client IP at
// the HTTP edge, mutations per user inside the GraphQL layer (where the operation type is
// known). Buckets live in process (Keyed, which the cost throttle's in-process buckets use
// too), or in Redis so that limits hold across replicas. Refusals writes the 429 and
// Retry-After of a request refused inside the GraphQL layer, by a rate limit or the throttle.
package ratelimit

import (
	"context"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Result is the outcome of spending one token.
type Result struct {
	Allowed bool
	// RetryAfter is how long until a token is available again, when not Allowed.
	RetryAfter time.Duration
}

// Buckets spends tokens from per-key token buckets that hold PerMinute tokens and refill at
// PerMinute a minute. Implementations return an error only when their store fails.
type Buckets interface {
	Take(ctx context.Context, key string) (Result, error)
}

// Local keeps buckets in this process.
type Local struct {
	buckets *Keyed
	now     func() time.Time
}

// NewLocal returns in-process buckets of perMinute tokens.
func NewLocal(perMinute int) *Local {
	return &Local{buckets: NewKeyed(float64(perMinute)/60, perMinute), now: time.Now}
}

// Take implements Buckets.
func (l *Local) Take(_ context.Context, key string) (Result, error) {
	if ok, _, wait := l.buckets.Spend(key, 1, l.now()); !ok {
		return Result{RetryAfter: wait}, nil
	}
	return Result{Allowed: true}, nil
}

// Shared keeps buckets in Redis (GCRA, the token bucket's equivalent, in one Lua script per
// Take), so every replica spends from the same bucket.
type Shared struct {
	limiter *redis_rate.Limiter
	limit   redis_rate.Limit
	prefix  string
}

// NewShared returns Redis buckets of perMinute tokens whose keys start with prefix.
func NewShared(rdb redis.UniversalClient, prefix string, perMinute int) *Shared {
	return &Shared{limiter: redis_rate.NewLimiter(rdb), limit: redis_rate.PerMinute(perMinute), prefix: prefix}
}

// Take implements Buckets.
func (s *Shared) Take(ctx context.Context, key string) (Result, error) {
	res, err := s.limiter.Allow(ctx, s.prefix+key, s.limit)
	if err != nil {
		return Result{Allowed: true}, err
	}
	return Result{Allowed: res.Allowed > 0, RetryAfter: res.RetryAfter}, nil
}

// Fallback spends from Shared buckets and, while their store fails (Redis down, frozen, or
// its circuit open), from in-process ones instead: each process then enforces the limit on
// its own, which is the limit without Redis, rather than no limit at all.
type Fallback struct {
	Shared, Local Buckets
}

// Take implements Buckets; it never fails.
func (f Fallback) Take(ctx context.Context, key string) (Result, error) {
	res, err := f.Shared.Take(ctx, key)
	if err == nil {
		return res, nil
	}
	return f.Local.Take(ctx, key)
}
