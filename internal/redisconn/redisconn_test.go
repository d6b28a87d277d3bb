package redisconn_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/faultproxy"
	"github.com/vitrinehq/vitrine/internal/redisconn"
	"github.com/vitrinehq/vitrine/internal/redistest"
)

// The breaker opens after Failures timeouts in a row, then fails commands without touching
// Redis, and closes again once a probe after the cooldown finds Redis answering.
func TestBreaker(t *testing.T) {
	direct, prefix := redistest.Client(t)
	proxy := faultproxy.Start(t, direct.Options().Addr)
	c, err := redisconn.Open(context.Background(), "redis://"+proxy.Addr()+"/"+strconv.Itoa(direct.Options().DB),
		redisconn.Options{Timeout: 50 * time.Millisecond, Failures: 2, Cooldown: 300 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	key := prefix + "k"

	require.ErrorIs(t, c.Get(ctx, key).Err(), redis.Nil, "a missing key is an answer, not a failure")
	require.ErrorIs(t, c.Get(ctx, key).Err(), redis.Nil)
	require.ErrorIs(t, c.Get(ctx, key).Err(), redis.Nil)

	proxy.Freeze()
	for range 2 {
		err := c.Get(ctx, key).Err()
		require.Error(t, err)
		require.False(t, errors.Is(err, redisconn.ErrUnavailable), "Redis was tried: %v", err)
	}
	start := time.Now()
	require.ErrorIs(t, c.Get(ctx, key).Err(), redisconn.ErrUnavailable, "open: fails without trying")
	require.Less(t, time.Since(start), 50*time.Millisecond, "without waiting for Redis")

	proxy.Thaw()
	time.Sleep(350 * time.Millisecond)
	require.NoError(t, c.Set(ctx, key, "v", time.Minute).Err(), "the probe after the cooldown closes it")
	require.Equal(t, "v", c.Get(ctx, key).Val())
}

// A caller that goes away says nothing about Redis: cancellations never open the breaker.
func TestBreakerIgnoresCancellation(t *testing.T) {
	direct, prefix := redistest.Client(t)
	proxy := faultproxy.Start(t, direct.Options().Addr)
	c, err := redisconn.Open(context.Background(), "redis://"+proxy.Addr()+"/"+strconv.Itoa(direct.Options().DB),
		redisconn.Options{Failures: 1})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for range 3 {
		require.Error(t, c.Get(cancelled, prefix+"k").Err())
	}
	require.ErrorIs(t, c.Get(context.Background(), prefix+"k").Err(), redis.Nil)
}
