package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/redistest"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/internal/throttle"
	"github.com/vitrinehq/vitrine/server"
)

// clock is a settable time source for process-local buckets: tests move it instead of sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// costOf decodes extensions.cost, throttleStatus included.
func costOf(t *testing.T, r edgeReply) (requested int, status *throttle.Status) {
	t.Helper()
	var body struct {
		Extensions struct {
			Cost *struct {
				Requested      int              `json:"requested"`
				ThrottleStatus *throttle.Status `json:"throttleStatus"`
			} `json:"cost"`
		} `json:"extensions"`
	}
	require.NoError(t, json.Unmarshal(r.body, &body), "%s", r.body)
	require.NotNil(t, body.Extensions.Cost, "extensions.cost: %s", r.body)
	return body.Extensions.Cost.Requested, body.Extensions.Cost.ThrottleStatus
}

// requireThrottled asserts a 429 with Retry-After and a THROTTLED error naming the wait.
func requireThrottled(t *testing.T, r edgeReply) int {
	t.Helper()
	require.Equal(t, http.StatusTooManyRequests, r.status, "%s", r.body)
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After %q", r.header.Get("Retry-After"))
	require.Equal(t, string(throttle.CodeThrottled), r.code(t))
	require.Contains(t, r.Errors[0].Message, "retry in "+strconv.Itoa(secs)+" s")
	require.NotEmpty(t, r.Errors[0].Extensions["requestId"], "%s", r.body)
	requireNoData(t, r)
	return secs
}

// requireNoData asserts that nothing ran: no data, or data null.
func requireNoData(t *testing.T, r edgeReply) {
	t.Helper()
	if len(r.Data) > 0 {
		require.JSONEq(t, "null", string(r.Data), "nothing ran: %s", r.body)
	}
}

// A page of ten product names costs 1 + 10 × 1 = 11 points.
var tenProducts = map[string]any{"query": `{ products(first: 10) { edges { node { id name } } } }`}

const tenProductsCost = 11

// TestCostThrottle drains a 100-point bucket restored at 10 points a second with 11-point
// queries, on both stores, with buckets in the process (clock moved by the test) and in Redis.
func TestCostThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		t.Run("Local", func(t *testing.T) {
			clk := &clock{t: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}
			buckets := func() throttle.Buckets { return throttle.NewLocal(100, 10, clk.now) }
			testCostThrottle(t, e, buckets, clk.advance)
		})
		t.Run("Redis", func(t *testing.T) {
			rdb, prefix := redistest.Client(t)
			n := 0
			buckets := func() throttle.Buckets { n++; return throttle.NewShared(rdb, prefix+strconv.Itoa(n)+":", 100, 10) }
			testCostThrottle(t, e, buckets, nil)
		})
	})
}

// testCostThrottle runs the bucket checks; advance is nil for buckets on Redis's clock, which
// the test cannot move: there, currentlyAvailable may have grown by a point since the spend.
func testCostThrottle(t *testing.T, e *env, buckets func() throttle.Buckets, advance func(time.Duration)) {
	near := func(t *testing.T, want, got int) {
		t.Helper()
		if advance != nil {
			require.Equal(t, want, got)
			return
		}
		require.InDelta(t, want, got, 1)
	}
	serveThrottled := func(b throttle.Buckets) string {
		return serveEdge(t, e, server.Options{TrustedProxies: loopback, Throttle: &throttle.Throttle{Buckets: b, Log: quiet}})
	}

	t.Run("BucketDrainsThenRefusesWith429", func(t *testing.T) {
		endpoint := serveThrottled(buckets())
		alice := from("198.51.100.1")
		for i := 1; i <= 9; i++ {
			r := post(t, endpoint, tenProducts, alice).ok(t)
			requested, status := costOf(t, r)
			require.Equal(t, tenProductsCost, requested)
			require.NotNil(t, status, "extensions.cost.throttleStatus: %s", r.body)
			require.Equal(t, 100, status.MaximumAvailable)
			require.Equal(t, 10, status.RestoreRate)
			near(t, 100-i*tenProductsCost, status.CurrentlyAvailable)
		}
		// 1 point left: the 11-point query waits 1 s for the 10 it lacks.
		r := post(t, endpoint, tenProducts, alice)
		secs := requireThrottled(t, r)
		require.Equal(t, 1, secs)
		_, status := costOf(t, r)
		require.NotNil(t, status, "a refusal reports the bucket: %s", r.body)
		near(t, 1, status.CurrentlyAvailable)
		requireThrottled(t, get(t, endpoint, tenProducts, alice))

		t.Run("OtherClientsKeepTheirPoints", func(t *testing.T) {
			post(t, endpoint, tenProducts, from("198.51.100.2")).ok(t)
		})
		if advance != nil {
			t.Run("RefillsAtTheRestoreRate", func(t *testing.T) {
				advance(time.Duration(secs) * time.Second)
				_, status := costOf(t, post(t, endpoint, tenProducts, alice).ok(t))
				require.Equal(t, 0, status.CurrentlyAvailable, "1 + 10 restored − 11 spent")
				requireThrottled(t, post(t, endpoint, tenProducts, alice))
				advance(20 * time.Second) // far past full: the bucket holds 100, not more
				_, status = costOf(t, post(t, endpoint, tenProducts, alice).ok(t))
				require.Equal(t, 100-tenProductsCost, status.CurrentlyAvailable)
			})
		}
	})

	t.Run("SignedInUsersSpendTheirOwnBucketFromAnyAddress", func(t *testing.T) {
		endpoint := serveThrottled(buckets())
		as := func(user int, ip string) http.Header {
			h := from(ip)
			h.Set("Authorization", "Bearer "+mustToken(t, e, user))
			return h
		}
		for i := range 9 {
			post(t, endpoint, tenProducts, as(1, "198.51.100."+strconv.Itoa(10+i))).ok(t)
		}
		requireThrottled(t, post(t, endpoint, tenProducts, as(1, "198.51.100.99")))
		// The address user 1 used last still has its own points, as does another user there.
		post(t, endpoint, tenProducts, from("198.51.100.18")).ok(t)
		_, status := costOf(t, post(t, endpoint, tenProducts, as(2, "198.51.100.18")).ok(t))
		near(t, 100-tenProductsCost, status.CurrentlyAvailable)
	})

	t.Run("AnOperationOverTheBucketNeedsAFullBucket", func(t *testing.T) {
		endpoint := serveThrottled(buckets())
		big := map[string]any{"query": `{ products(first: 100) { edges { node { id name } } } }`} // 101
		r := post(t, endpoint, big, from("198.51.100.50")).ok(t)
		requested, status := costOf(t, r)
		require.Equal(t, 101, requested)
		near(t, 0, status.CurrentlyAvailable)
		requireThrottled(t, post(t, endpoint, big, from("198.51.100.50")))
	})

	t.Run("RequestsRefusedBeforeTheyRunSpendNothing", func(t *testing.T) {
		endpoint := serveThrottled(buckets())
		ip := from("198.51.100.60")
		bad := map[string]any{"query": `{ products(first: 10) { edges { node { nope } } } }`}
		r := post(t, endpoint, bad, ip)
		require.Equal(t, "GRAPHQL_VALIDATION_FAILED", r.code(t))
		_, status := costOf(t, post(t, endpoint, tenProducts, ip).ok(t))
		near(t, 100-tenProductsCost, status.CurrentlyAvailable)
	})

	t.Run("MutationsAreThrottledBeforeTheyRun", func(t *testing.T) {
		endpoint := serveThrottled(buckets())
		ip := from("198.51.100.70")
		for range 9 {
			post(t, endpoint, tenProducts, ip).ok(t)
		}
		login := map[string]any{"query": `mutation { login(email: "nobody@example.com", password: "wrong-password") { token user { reviews(first: 50) { totalCount } } } }`}
		requireThrottled(t, post(t, endpoint, login, ip))
	})
}

// TestCostThrottleOff: without a throttle, extensions.cost has no throttleStatus.
func TestCostThrottleOff(t *testing.T) {
	e := edgeEnv(t)
	_, status := costOf(t, post(t, serveEdge(t, e, server.Options{}), tenProducts, nil).ok(t))
	require.Nil(t, status)
}

// TestCostGate fills the gate's capacity, as expensive queries in flight do, and checks that
// cheap queries still run at once while an expensive one waits for room and, when none frees
// up within the request deadline, answers TIMEOUT instead of piling onto the load.
func TestCostGate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		gate := throttle.NewGate(1_000, 100)
		lim := limits.Defaults()
		lim.RequestTimeout = 300 * time.Millisecond
		endpoint := serveEdge(t, e, server.Options{Limits: &lim, Throttle: &throttle.Throttle{Gate: gate, Log: quiet}})
		expensive := map[string]any{"query": `{ products(first: 100) { edges { node { id name } } } }`} // 101

		release, err := gate.Enter(context.Background(), 1_000)
		require.NoError(t, err)
		t.Run("CheapQueriesBypassAFullGate", func(t *testing.T) {
			for range 5 {
				requested, _ := costOf(t, post(t, endpoint, tenProducts, nil).ok(t))
				require.Less(t, requested, 100)
			}
		})
		t.Run("ExpensiveQueriesWaitWithinTheDeadline", func(t *testing.T) {
			r := post(t, endpoint, expensive, nil)
			require.Equal(t, "TIMEOUT", r.code(t), "%s", r.body)
			require.Contains(t, r.Errors[0].Message, "busy with other expensive operations")
			requireNoData(t, r)
		})
		t.Run("ExpensiveQueriesRunOnceThereIsRoom", func(t *testing.T) {
			done := make(chan edgeReply, 1)
			go func() { done <- post(t, endpoint, expensive, nil) }()
			release()
			r := <-done
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			require.Empty(t, r.Errors, "%s", r.body)
			// The query gave its room back: the whole capacity can be taken again.
			release, err := gate.Enter(context.Background(), 1_000)
			require.NoError(t, err)
			release()
		})
	})
}
