package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Keyed is a set of in-process token buckets of one size and refill rate, one per key: the
// rate limits' Local and the cost throttle's (internal/throttle) are both made of one. Full
// buckets are forgotten once a minute: a full bucket is the same as a new one, so memory stays
// proportional to the clients that spent recently.
type Keyed struct {
	limit rate.Limit
	burst int

	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
	lastSweep time.Time
}

// NewKeyed returns buckets of burst tokens refilled at perSecond.
func NewKeyed(perSecond float64, burst int) *Keyed {
	return &Keyed{limit: rate.Limit(perSecond), burst: burst, buckets: map[string]*rate.Limiter{}}
}

// Spend takes n tokens (at most the bucket's size) from key's bucket at now, all or nothing.
// It returns the tokens left and, when it spent nothing, how long until the bucket holds n.
func (k *Keyed) Spend(key string, n int, now time.Time) (ok bool, left float64, wait time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.sweep(now)
	b := k.buckets[key]
	if b == nil {
		b = rate.NewLimiter(k.limit, k.burst)
		k.buckets[key] = b
	}
	if b.AllowN(now, n) {
		return true, b.TokensAt(now), 0
	}
	left = b.TokensAt(now)
	return false, left, time.Duration((float64(n) - left) / float64(k.limit) * float64(time.Second))
}

// Len is how many buckets are kept.
func (k *Keyed) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.buckets)
}

func (k *Keyed) sweep(now time.Time) {
	if now.Sub(k.lastSweep) < time.Minute {
		return
	}
	k.lastSweep = now
	for key, b := range k.buckets {
		if b.TokensAt(now) >= float64(k.burst) {
			delete(k.buckets, key)
		}
	}
}
