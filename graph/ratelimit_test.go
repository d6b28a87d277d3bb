package graph_test

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent/rating"
	"github.com/vitrinehq/vitrine/internal/ratelimit"
	"github.com/vitrinehq/vitrine/internal/redistest"
	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/server"
)

// The test server's peer address is always 127.0.0.1; a trusted proxy there stands in for a
// load balancer that appends the client's address to X-Forwarded-For.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

func from(xff string) http.Header {
	if xff == "" {
		return nil
	}
	return http.Header{"X-Forwarded-For": {xff}}
}

// requireLimited asserts a 429 with Retry-After and a GraphQL-shaped RATE_LIMITED error.
func requireLimited(t *testing.T, r edgeReply) {
	t.Helper()
	require.Equal(t, http.StatusTooManyRequests, r.status, "%s", r.body)
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After %q", r.header.Get("Retry-After"))
	require.True(t, secs >= 1 && secs <= 60, "Retry-After %d", secs)
	require.Equal(t, string(ratelimit.CodeRateLimited), r.code(t))
	require.Contains(t, r.Errors[0].Message, "retry in "+strconv.Itoa(secs)+" s")
	require.NotEmpty(t, r.Errors[0].Extensions["requestId"], "a throttled request's error names its request ID: %s", r.body)
}

func TestRateLimitRequestsPerIP(t *testing.T) {
	e := edgeEnv(t)
	query := map[string]any{"query": `{ products(first: 1) { totalCount } }`}

	t.Run("BucketExhaustionIs429", func(t *testing.T) {
		endpoint := serveEdge(t, e, server.Options{RateLimit: &ratelimit.Guard{Requests: ratelimit.NewLocal(3), Log: quiet}})
		for range 3 {
			post(t, endpoint, query, nil).ok(t)
		}
		requireLimited(t, post(t, endpoint, query, nil))
		requireLimited(t, get(t, endpoint, query, nil))
		t.Run("SpoofedForwardedForFromUntrustedPeerIsIgnored", func(t *testing.T) {
			requireLimited(t, post(t, endpoint, query, from("203.0.113.9")))
		})
	})
	t.Run("TrustedProxyIsHonoured", func(t *testing.T) {
		endpoint := serveEdge(t, e, server.Options{TrustedProxies: loopback, RateLimit: &ratelimit.Guard{Requests: ratelimit.NewLocal(2), Log: quiet}})
		alice, bob := "198.51.100.1", "198.51.100.2"
		post(t, endpoint, query, from(alice)).ok(t)
		post(t, endpoint, query, from(alice)).ok(t)
		requireLimited(t, post(t, endpoint, query, from(alice)))
		post(t, endpoint, query, from(bob)).ok(t)
		// Alice forges Bob's address; the proxy appends hers, and hers is what counts.
		requireLimited(t, post(t, endpoint, query, from(bob+", "+alice)))
		post(t, endpoint, query, from(bob)).ok(t)
	})
}

func TestRateLimitMutationsPerUser(t *testing.T) {
	e := edgeEnv(t)
	endpoint := serveEdge(t, e, server.Options{TrustedProxies: loopback, RateLimit: &ratelimit.Guard{Mutations: ratelimit.NewLocal(2), Log: quiet}})
	rate := func(user int, ip string, stars int) edgeReply {
		h := from(ip)
		h.Set("Authorization", "Bearer "+mustToken(t, e, user))
		return post(t, endpoint, map[string]any{
			"query":     `mutation($p: ID!, $s: Int!) { rateProduct(productID: $p, stars: $s) { stars } }`,
			"variables": map[string]any{"p": relay.Encode(e.fx.products[1].ID), "s": stars},
		}, h)
	}
	starsOf := func(user int) int {
		r := e.st.Client.Rating.Query().Where(rating.ProductID(e.fx.products[1].ID), rating.UserID(e.fx.users[user].ID)).OnlyX(context.Background())
		return r.Stars
	}

	rate(1, "198.51.100.1", 4).ok(t)
	rate(1, "198.51.100.2", 5).ok(t)
	t.Run("ThirdMutationOfTheUserIs429FromAnyIP", func(t *testing.T) {
		requireLimited(t, rate(1, "198.51.100.3", 1))
		require.Equal(t, 5, starsOf(1), "the throttled mutation did not run")
	})
	t.Run("OtherUserOnTheSameIPIsNotLimited", func(t *testing.T) {
		rate(2, "198.51.100.1", 3).ok(t)
	})
	t.Run("QueriesOfTheLimitedUserStillRun", func(t *testing.T) {
		h := from("198.51.100.1")
		h.Set("Authorization", "Bearer "+mustToken(t, e, 1))
		post(t, endpoint, map[string]any{"query": `{ me { displayName } }`}, h).ok(t)
	})
	t.Run("AnonymousMutationsCountPerIP", func(t *testing.T) {
		login := map[string]any{"query": `mutation { login(email: "nobody@example.com", password: "wrong-password") { token } }`}
		for range 2 {
			require.Equal(t, "UNAUTHENTICATED", post(t, endpoint, login, from("198.51.100.7")).code(t))
		}
		requireLimited(t, post(t, endpoint, login, from("198.51.100.7")))
		require.Equal(t, "UNAUTHENTICATED", post(t, endpoint, login, from("198.51.100.8")).code(t))
	})
}

// TestRateLimitSharedAcrossReplicas spends one Redis bucket from two handler instances.
func TestRateLimitSharedAcrossReplicas(t *testing.T) {
	e := edgeEnv(t)
	rdb, prefix := redistest.Client(t)
	replica := func(g ratelimit.Guard) string {
		g.Log = quiet
		return serveEdge(t, e, server.Options{RateLimit: &g})
	}
	query := map[string]any{"query": `{ products(first: 1) { totalCount } }`}
	t.Run("Requests", func(t *testing.T) {
		requests := ratelimit.Guard{Requests: ratelimit.NewShared(rdb, prefix+"requests:", 2)}
		a, b := replica(requests), replica(requests)
		post(t, a, query, nil).ok(t)
		post(t, b, query, nil).ok(t)
		requireLimited(t, post(t, a, query, nil))
		requireLimited(t, post(t, b, query, nil))
	})
	t.Run("Mutations", func(t *testing.T) {
		mutations := ratelimit.Guard{Mutations: ratelimit.NewShared(rdb, prefix+"mutations:", 1)}
		a, b := replica(mutations), replica(mutations)
		auth := http.Header{"Authorization": {"Bearer " + mustToken(t, e, 1)}}
		mutation := map[string]any{
			"query":     `mutation($p: ID!) { rateProduct(productID: $p, stars: 2) { stars } }`,
			"variables": map[string]any{"p": relay.Encode(e.fx.products[2].ID)},
		}
		post(t, a, mutation, auth).ok(t)
		requireLimited(t, post(t, b, mutation, auth))
	})
}
