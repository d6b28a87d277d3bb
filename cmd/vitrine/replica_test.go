package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// readyStatus is the part of /readyz the replica tests read.
type readyStatus struct {
	Status    string
	Databases []struct {
		Name, Role, Status string
		InRotation         bool `json:"in_rotation"`
		Reads              int64
		LagSeconds         float64 `json:"lag_seconds"`
	}
}

func getReady(t *testing.T, base string) (int, readyStatus) {
	t.Helper()
	res, err := http.Get(base + "/readyz")
	require.NoError(t, err)
	defer res.Body.Close()
	var out readyStatus
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	return res.StatusCode, out
}

// replicaState returns the replica's line in /readyz.
func replicaState(t *testing.T, base string) (inRotation bool, reads int64) {
	t.Helper()
	_, st := getReady(t, base)
	require.Len(t, st.Databases, 2, "readyz lists the primary and the replica")
	require.Equal(t, "primary", st.Databases[0].Role)
	return st.Databases[1].InRotation, st.Databases[1].Reads
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// TestServeWithReadReplica runs `vitrine serve` on a real primary and a real streaming replica:
// anonymous reads land on the replica, a user reads their own review at once while the replica
// is stale, and stopping the replica under load fails no request.
func TestServeWithReadReplica(t *testing.T) {
	pg := storetest.StartReplicated(t)
	ctx := context.Background()
	env := map[string]string{
		"DATABASE_URL":          pg.PrimaryURL,
		"DATABASE_REPLICA_URLS": pg.ReplicaURL,
		"VITRINE_DATA_DIR":      t.TempDir(),
		// A paused replica must stay in the rotation long enough to show stale reads.
		"VITRINE_REPLICA_MAX_LAG":        "1h",
		"VITRINE_REPLICA_CHECK_INTERVAL": "100ms",
		// The load below comes from one address far faster than any client would.
		"VITRINE_RATE_LIMIT_QUERIES": "0",
		"VITRINE_COST_BUCKET":        "0",
	}
	getenv := func(k string) string { return env[k] }
	require.NoError(t, run(ctx, []string{"user", "create-admin", "--email", "admin@example.com", "--password-stdin"},
		getenv, strings.NewReader("a-long-admin-password\n"), io.Discard, nil))
	base, logs := startServer(t, env)
	anon := &gqltest.Client{URL: base + "/graphql"}
	replica, err := sql.Open("postgres", pg.ReplicaURL)
	require.NoError(t, err)
	defer replica.Close()

	eventually(t, "the replica joins the rotation", func() bool { in, _ := replicaState(t, base); return in })

	var login struct{ Login struct{ Token string } }
	anon.MustData(t, &login, `mutation { login(email: "admin@example.com", password: "a-long-admin-password") { token } }`, nil)
	admin := &gqltest.Client{URL: anon.URL, Header: http.Header{"Authorization": {"Bearer " + login.Login.Token}}}
	var cat struct{ CreateCategory struct{ ID string } }
	admin.MustData(t, &cat, `mutation { createCategory(input: {name: "Tents", slug: "tents"}) { id } }`, nil)
	var prod struct{ CreateProduct struct{ ID string } }
	admin.MustData(t, &prod, `mutation($in: CreateProductInput!) { createProduct(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"sku": "T-1", "name": "Tent", "slug": "tent", "price": 19999, "currency": "EUR", "categoryID": cat.CreateCategory.ID}})
	eventually(t, "the product reaches the replica", func() bool {
		var n int
		return replica.QueryRow(`SELECT count(*) FROM products`).Scan(&n) == nil && n == 1
	})

	const reviews = `{ productBySlug(slug: "tent") { reviews(first: 5) { totalCount } } }`
	type reviewCount struct {
		ProductBySlug struct{ Reviews struct{ TotalCount int } }
	}

	t.Run("AnonymousReadsLandOnTheReplica", func(t *testing.T) {
		_, before := replicaState(t, base)
		var out reviewCount
		anon.MustData(t, &out, reviews, nil)
		_, after := replicaState(t, base)
		require.Greater(t, after, before)
	})

	t.Run("MetricsShowTheRouting", func(t *testing.T) {
		u, err := url.Parse(pg.ReplicaURL)
		require.NoError(t, err)
		replicaHost := u.Host
		// Development serves /metrics on the main listener.
		res, err := http.Get(base + "/metrics")
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		text := string(body)
		for _, series := range []string{
			`vitrine_db_reads_total{reason="",target="replica"}`,
			`vitrine_db_transactions_total`,
			`vitrine_replica_admissions_total 1`,
			`vitrine_replica_in_rotation{replica="` + replicaHost + `"} 1`,
		} {
			require.Contains(t, text, series)
		}
		require.NotContains(t, text, `vitrine_db_reads_total{reason="",target="replica"} 0`+"\n", "reads reached the replica")
	})

	t.Run("AUserReadsTheirOwnReviewWhileTheReplicaIsStale", func(t *testing.T) {
		_, err := replica.Exec(`SELECT pg_wal_replay_pause()`)
		require.NoError(t, err)
		defer replica.Exec(`SELECT pg_wal_replay_resume()`)

		// The shopper registers and writes on the primary; the replica knows neither.
		var reg struct{ Register struct{ Token string } }
		anon.MustData(t, &reg, `mutation { register(input: {email: "shopper@example.com", password: "a-long-shopper-password", name: "Shopper"}) { token } }`, nil)
		shopper := &gqltest.Client{URL: anon.URL, Header: http.Header{"Authorization": {"Bearer " + reg.Register.Token}}}
		shopper.MustData(t, &struct{}{}, `mutation($p: ID!) { addReview(input: {productID: $p, title: "Dry", body: "Kept us dry all night."}) { id } }`,
			map[string]any{"p": prod.CreateProduct.ID})

		var mine, theirs reviewCount
		shopper.MustData(t, &mine, reviews, nil)
		require.Equal(t, 1, mine.ProductBySlug.Reviews.TotalCount, "the writer reads their review at once")
		anon.MustData(t, &theirs, reviews, nil)
		require.Equal(t, 0, theirs.ProductBySlug.Reviews.TotalCount, "others read the (paused) replica")
		// No fixed window: while the replica has not replayed the review, the writer keeps
		// reading it, however long that takes (here past what was a 2s window).
		time.Sleep(2500 * time.Millisecond)
		shopper.MustData(t, &mine, reviews, nil)
		require.Equal(t, 1, mine.ProductBySlug.Reviews.TotalCount, "the writer still reads their review while the replica lags")

		_, err = replica.Exec(`SELECT pg_wal_replay_resume()`)
		require.NoError(t, err)
		eventually(t, "the replica replays the review", func() bool {
			anon.MustData(t, &theirs, reviews, nil)
			return theirs.ProductBySlug.Reviews.TotalCount == 1
		})
	})

	t.Run("StoppingTheReplicaUnderLoadFailsNoRequest", func(t *testing.T) {
		var ok, failed atomic.Int64
		var firstFailure atomic.Value
		stop := make(chan struct{})
		var wg sync.WaitGroup
		body, _ := json.Marshal(map[string]any{"query": `{ products(first: 10) { totalCount edges { node { name reviews(first: 3) { totalCount } } } } }`})
		for range 8 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if err := loadRequest(anon.URL, body); err != nil {
						failed.Add(1)
						firstFailure.CompareAndSwap(nil, err.Error())
					} else {
						ok.Add(1)
					}
				}
			})
		}
		time.Sleep(time.Second)
		pg.StopReplica(t)
		eventually(t, "the replica leaves the rotation", func() bool { in, _ := replicaState(t, base); return !in })
		time.Sleep(time.Second)
		pg.StartReplica(t)
		eventually(t, "the replica is re-admitted", func() bool { in, _ := replicaState(t, base); return in })
		_, readsBack := replicaState(t, base)
		time.Sleep(500 * time.Millisecond)
		close(stop)
		wg.Wait()

		require.Zero(t, failed.Load(), "failed requests (first: %v); the server's errors:\n%s", firstFailure.Load(), errorLines(logs.String()))
		require.Greater(t, ok.Load(), int64(50))
		_, readsAfter := replicaState(t, base)
		require.Greater(t, readsAfter, readsBack, "reads return to the re-admitted replica")
		code, st := getReady(t, base)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, "ok", st.Databases[1].Status)
		require.Contains(t, logs.String(), "read replica left the rotation")
		require.Contains(t, logs.String(), "read replica joined the rotation")
	})
}

// loadRequest posts one GraphQL read and fails on anything but a 200 with data and no errors.
func loadRequest(url string, body []byte) error {
	res, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var out struct {
		Data   json.RawMessage
		Errors []json.RawMessage
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return fmt.Errorf("status %d: %w", res.StatusCode, err)
	}
	if res.StatusCode != http.StatusOK || len(out.Errors) > 0 || len(out.Data) == 0 || string(out.Data) == "null" {
		return fmt.Errorf("status %d, errors %s", res.StatusCode, out.Errors)
	}
	return nil
}

// errorLines picks the server's error log lines, to say why a request failed.
func errorLines(logs string) string {
	var out []string
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "ERROR") && len(out) < 20 {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// TestServeStopsReadingAStalledReplica freezes the replica's WAL receiver under `vitrine serve`:
// the replica still answers and has replayed all it received, so only a lag measured against
// the primary shows it is stale. Anonymous reads must see a new category within
// VITRINE_REPLICA_MAX_LAG plus one check interval, and /readyz must say why.
func TestServeStopsReadingAStalledReplica(t *testing.T) {
	const maxLag, interval = time.Second, 100 * time.Millisecond
	pg := storetest.StartReplicated(t)
	env := map[string]string{
		"DATABASE_URL":                   pg.PrimaryURL,
		"DATABASE_REPLICA_URLS":          pg.ReplicaURL,
		"VITRINE_DATA_DIR":               t.TempDir(),
		"VITRINE_REPLICA_MAX_LAG":        maxLag.String(),
		"VITRINE_REPLICA_CHECK_INTERVAL": interval.String(),
		"VITRINE_RATE_LIMIT_QUERIES":     "0",
		"VITRINE_COST_BUCKET":            "0",
	}
	getenv := func(k string) string { return env[k] }
	require.NoError(t, run(context.Background(), []string{"user", "create-admin", "--email", "admin@example.com", "--password-stdin"},
		getenv, strings.NewReader("a-long-admin-password\n"), io.Discard, nil))
	base, _ := startServer(t, env)
	anon := &gqltest.Client{URL: base + "/graphql"}
	var login struct{ Login struct{ Token string } }
	anon.MustData(t, &login, `mutation { login(email: "admin@example.com", password: "a-long-admin-password") { token } }`, nil)
	admin := &gqltest.Client{URL: anon.URL, Header: http.Header{"Authorization": {"Bearer " + login.Login.Token}}}
	eventually(t, "the replica joins the rotation", func() bool { in, _ := replicaState(t, base); return in })

	categories := func() int {
		var out struct{ Categories struct{ TotalCount int } }
		anon.MustData(t, &out, `{ categories(first: 10) { totalCount } }`, nil)
		return out.Categories.TotalCount
	}
	require.Zero(t, categories())
	pg.StallStreaming(t)
	wrote := time.Now()
	admin.MustData(t, &struct{}{}, `mutation { createCategory(input: {name: "Tents", slug: "tents"}) { id } }`, nil)
	eventually(t, "anonymous reads see the new category", func() bool { return categories() == 1 })
	took := time.Since(wrote)
	t.Logf("anonymous reads saw the write %v after it (max lag %v, check interval %v)", took, maxLag, interval)
	// The bound is max lag + one interval; the rest is slack for a busy shared machine.
	require.Less(t, took, maxLag+interval+time.Second)

	_, st := getReady(t, base)
	require.Equal(t, "lagging", st.Databases[1].Status)
	require.False(t, st.Databases[1].InRotation)
	require.Greater(t, st.Databases[1].LagSeconds, maxLag.Seconds())
}
