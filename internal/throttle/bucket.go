// Package throttle meters GraphQL clients by what their operations cost, as the public GraphQL
// APIs do (Shopify's cost buckets, GitHub's points): each client has a bucket of points,
// restored at a steady rate, from which every operation spends its cost before it runs. It
// also bounds how much expensive work runs at once (Gate), so that cheap operations keep their
// latency while expensive ones wait their turn. Counting requests cannot tell a one-product
// lookup from a query loading thousands of rows; cost can.
package throttle

import (
	"context"
	"math"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/vitrinehq/vitrine/internal/ratelimit"
)

// Status is a client's bucket after an operation, reported as extensions.cost.throttleStatus.
type Status struct {
	// MaximumAvailable is the bucket's size: the most points a client can spend at once.
	MaximumAvailable int `json:"maximumAvailable"`
	// CurrentlyAvailable is what is left, rounded down.
	CurrentlyAvailable int `json:"currentlyAvailable"`
	// RestoreRate is the points restored per second.
	RestoreRate int `json:"restoreRate"`
}

// Spend is the outcome of spending an operation's cost.
type Spend struct {
	Allowed bool
	// RetryAfter is how long until the bucket holds the points asked for, when not Allowed.
	RetryAfter time.Duration
	Status     Status
}

// Buckets spend points from per-client buckets of a fixed size, restored continuously.
// Spending more points than a bucket holds spends a full bucket: an operation the cost budget
// let through must be able to run. Implementations return an error only when their store
// fails.
type Buckets interface {
	Spend(ctx context.Context, key string, points int) (Spend, error)
}

// Local keeps buckets in this process (internal/ratelimit's, spending points, not requests).
type Local struct {
	maximum, restore int
	buckets          *ratelimit.Keyed
	now              func() time.Time
}

// NewLocal returns in-process buckets of maximum points restored at restorePerSecond. now is
// the clock (nil: time.Now); tests pass their own to move time without sleeping.
func NewLocal(maximum, restorePerSecond int, now func() time.Time) *Local {
	if now == nil {
		now = time.Now
	}
	return &Local{maximum: maximum, restore: restorePerSecond, now: now, buckets: ratelimit.NewKeyed(float64(restorePerSecond), maximum)}
}

// Spend implements Buckets.
func (l *Local) Spend(_ context.Context, key string, points int) (Spend, error) {
	points = min(max(points, 0), l.maximum)
	ok, left, wait := l.buckets.Spend(key, points, l.now())
	if ok {
		return Spend{Allowed: true, Status: l.status(left)}, nil
	}
	return Spend{RetryAfter: wait, Status: l.status(left)}, nil
}

func (l *Local) status(tokens float64) Status {
	return Status{MaximumAvailable: l.maximum, CurrentlyAvailable: int(max(math.Floor(tokens), 0)), RestoreRate: l.restore}
}

// Shared keeps buckets in Redis, in the same store and with the same algorithm as
// internal/ratelimit's shared buckets (GCRA, one atomic Lua script per spend), so a client's
// points are shared by every replica. Redis's clock is the bucket's clock.
type Shared struct {
	limiter *redis_rate.Limiter
	limit   redis_rate.Limit
	prefix  string
}

// NewShared returns Redis buckets of maximum points restored at restorePerSecond, whose keys
// start with prefix.
func NewShared(rdb redis.UniversalClient, prefix string, maximum, restorePerSecond int) *Shared {
	return &Shared{
		limiter: redis_rate.NewLimiter(rdb),
		limit:   redis_rate.Limit{Rate: restorePerSecond, Burst: maximum, Period: time.Second},
		prefix:  prefix,
	}
}

// Spend implements Buckets.
func (s *Shared) Spend(ctx context.Context, key string, points int) (Spend, error) {
	points = min(max(points, 0), s.limit.Burst)
	res, err := s.limiter.AllowN(ctx, s.prefix+key, s.limit, points)
	if err != nil {
		return Spend{Allowed: true}, err
	}
	st := Status{MaximumAvailable: s.limit.Burst, CurrentlyAvailable: res.Remaining, RestoreRate: s.limit.Rate}
	// redis_rate reports -1 when the points were spent (Allowed counts them, so it is 0 for a
	// free operation that was allowed all the same).
	if res.RetryAfter < 0 {
		return Spend{Allowed: true, Status: st}, nil
	}
	// A refusal reports no remainder; what is left is the cost less the points the wait restores.
	left := float64(points) - res.RetryAfter.Seconds()*float64(s.limit.Rate) + 1e-6 // float noise
	st.CurrentlyAvailable = int(min(max(math.Floor(left), 0), float64(s.limit.Burst)))
	return Spend{RetryAfter: res.RetryAfter, Status: st}, nil
}
