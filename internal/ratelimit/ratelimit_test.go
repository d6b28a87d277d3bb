package ratelimit

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestClientKey(t *testing.T) {
	for addr, want := range map[string]string{
		"203.0.113.5":               "203.0.113.5",
		"2001:db8:1:2:aaaa::1":      "2001:db8:1:2::/64",
		"2001:db8:1:2:bbbb:cccc::9": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":           "2001:db8:1:3::/64",
	} {
		require.Equal(t, want, ClientKey(netip.MustParseAddr(addr)), addr)
	}
}

func TestLocalBucketRefills(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := NewLocal(60) // one token a second, 60 at most
	b.now = func() time.Time { return now }
	ctx := context.Background()
	for range 60 {
		res, _ := b.Take(ctx, "k")
		require.True(t, res.Allowed)
	}
	res, _ := b.Take(ctx, "k")
	require.False(t, res.Allowed)
	require.InDelta(t, time.Second, res.RetryAfter, float64(10*time.Millisecond))
	other, _ := b.Take(ctx, "other")
	require.True(t, other.Allowed, "buckets are per key")

	now = now.Add(time.Second)
	res, _ = b.Take(ctx, "k")
	require.True(t, res.Allowed, "a token came back after a second")
	res, _ = b.Take(ctx, "k")
	require.False(t, res.Allowed, "a refused request spends nothing, and only one token came back")

	now = now.Add(2 * time.Minute)
	b.Take(ctx, "fresh")
	require.Equal(t, 1, b.buckets.Len(), "full buckets are forgotten")
}

// failing is a store that is down.
type failing struct{}

func (failing) Take(context.Context, string) (Result, error) {
	return Result{}, errors.New("redis: connection refused")
}

// While the shared store fails, the limit still holds, from in-process buckets.
func TestFallbackKeepsTheLimit(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	local := NewLocal(2)
	local.now = func() time.Time { return now }
	b := Fallback{Shared: failing{}, Local: local}
	for i, want := range []bool{true, true, false} {
		res, err := b.Take(context.Background(), "k")
		require.NoError(t, err)
		require.Equal(t, want, res.Allowed, "take %d", i)
	}
}
