package ratelimit

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	cases := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"NoProxy", "203.0.113.5:4000", nil, "203.0.113.5"},
		{"UntrustedPeerForwardedForIgnored", "203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5"},
		{"TrustedPeerWithoutHeader", "10.1.2.3:4000", nil, "10.1.2.3"},
		{"TrustedPeer", "10.1.2.3:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"ForgedLeftmostIgnored", "10.1.2.3:4000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"ChainOfTrustedProxies", "10.1.2.3:4000", []string{"198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"SeveralHeaders", "10.1.2.3:4000", []string{"1.2.3.4", "198.51.100.1"}, "198.51.100.1"},
		{"AllTrusted", "10.1.2.3:4000", []string{"10.4.4.4"}, "10.4.4.4"},
		{"MalformedHopStopsAtLastTrusted", "10.1.2.3:4000", []string{"198.51.100.1, not-an-ip"}, "10.1.2.3"},
		{"IPv6", "[2001:db8::1]:4000", []string{"2001:db9::7"}, "2001:db9::7"},
		{"IPv4MappedPeer", "[::ffff:10.1.2.3]:4000", []string{"198.51.100.1"}, "198.51.100.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: c.peer, Header: http.Header{}}
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			require.Equal(t, c.want, ClientIP(r, proxies).String())
		})
	}
}

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
	require.Len(t, b.buckets, 1, "full buckets are forgotten")
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
