package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/faultproxy"
	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/persisted"
	"github.com/vitrinehq/vitrine/internal/redistest"
)

// prompt bounds one request while Redis is in trouble. It is far above what a request costs
// (milliseconds) and far below what a Redis wait costs without the guard (go-redis's 3 s read
// timeout, retried): a correctness bound with slack for a busy shared machine, not a
// performance claim (bench/redis-faults.sh measures latencies).
const prompt = time.Second

// With Redis frozen (sockets open, no answer) and then down (connection refused), `vitrine
// serve` keeps answering promptly from its in-process fallbacks: reads and persisted queries
// it already knows succeed, and mutations are still rate limited, by in-process buckets.
func TestServeWithRedisTrouble(t *testing.T) {
	rdb, prefix := redistest.Client(t)
	proxy := faultproxy.Start(t, rdb.Options().Addr)
	base, logs := startServer(t, map[string]string{
		"VITRINE_DATA_DIR":             t.TempDir(),
		"VITRINE_REDIS_URL":            "redis://" + proxy.Addr() + "/" + strconv.Itoa(rdb.Options().DB),
		"VITRINE_REDIS_PREFIX":         prefix,
		"VITRINE_RATE_LIMIT_QUERIES":   "100000",
		"VITRINE_RATE_LIMIT_MUTATIONS": "3",
	})
	gql := &gqltest.Client{URL: base + "/graphql"}
	apq := func(t *testing.T, doc string, withText bool) gqltest.Response {
		t.Helper()
		body := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": persisted.Hash(doc)}}}
		if withText {
			body["query"] = doc
		}
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		req, err := http.NewRequest(http.MethodPost, gql.URL, bytes.NewReader(raw))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		return gqltest.Send(t, req)
	}
	timed := func(t *testing.T, what string, f func()) {
		t.Helper()
		start := time.Now()
		f()
		require.Less(t, time.Since(start), prompt, what)
	}
	// Registered while Redis answers: in Redis and in this process's cache.
	require.Empty(t, apq(t, topDoc, true).Errors)

	for _, fault := range []struct {
		name  string
		apply func()
	}{
		{"Frozen", proxy.Freeze},
		{"Down", proxy.Close},
	} {
		t.Run(fault.name, func(t *testing.T) {
			fault.apply()
			for range 5 {
				timed(t, "a read", func() {
					var out struct{ Products struct{ TotalCount int } }
					gql.MustData(t, &out, `{ products(first: 1) { totalCount } }`, nil)
					require.Positive(t, out.Products.TotalCount)
				})
				timed(t, "a known persisted query by hash", func() {
					res := apq(t, topDoc, false)
					require.Empty(t, res.Errors)
				})
			}
			limited := false
			for range 4 {
				timed(t, "a mutation", func() {
					res := gql.Do(t, `mutation { deleteRating(productID: "x") }`, nil)
					require.NotEmpty(t, res.Errors)
					limited = limited || res.Errors[0].Code() == "RATE_LIMITED"
				})
			}
			require.True(t, limited, "three mutations a minute hold without Redis")
			require.Contains(t, logs.String(), "redis unavailable: using in-process fallbacks")
		})
	}
}
