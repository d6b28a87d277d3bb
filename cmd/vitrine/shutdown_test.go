package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/storetest"
)

// TestSIGTERMDrainsThenFinishesInFlightRequests sends the test process a real SIGTERM, caught
// the way main catches it, while a GraphQL request waits on a database lock: /readyz must turn
// 503 at once while the server still answers, and the slow request must complete in full
// before serve returns.
func TestSIGTERMDrainsThenFinishesInFlightRequests(t *testing.T) {
	dbURL := storetest.URL(t)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	env := map[string]string{
		"DATABASE_URL":             dbURL,
		"VITRINE_DATA_DIR":         t.TempDir(),
		"VITRINE_SHUTDOWN_DRAIN":   "2s",
		"VITRINE_SHUTDOWN_TIMEOUT": "30s",
	}
	logs := &syncBuffer{}
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, nil, logs, func(a net.Addr) { addrc <- a })
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a.String()
	case err := <-done:
		t.Fatalf("serve exited early: %v\n%s", err, logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start\n%s", logs)
	}

	// Hold a lock that the products query must wait for: a request in flight, for as long as
	// the test likes.
	db, err := sql.Open("postgres", dbURL)
	require.NoError(t, err)
	defer db.Close()
	lock, err := db.Begin()
	require.NoError(t, err)
	defer lock.Rollback()
	_, err = lock.Exec(`LOCK TABLE products IN ACCESS EXCLUSIVE MODE`)
	require.NoError(t, err)

	type result struct {
		status int
		body   string
		err    error
	}
	slow := make(chan result, 1)
	go func() {
		res, err := http.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":"{ products(first: 5) { totalCount edges { node { name } } } }"}`))
		if err != nil {
			slow <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		slow <- result{status: res.StatusCode, body: string(b), err: err}
	}()
	eventually(t, "the request waits on the lock", func() bool {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`).Scan(&n)
		return err == nil && n > 0
	})

	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	t.Run("ReadyzTurns503WhileServing", func(t *testing.T) {
		eventually(t, "readyz reports draining", func() bool {
			code, st := getReady(t, base)
			return code == http.StatusServiceUnavailable && st.Status == "draining"
		})
		res, err := http.Get(base + "/healthz")
		require.NoError(t, err, "the server still answers while draining")
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
	})
	t.Run("ServeWaitsForTheInFlightRequest", func(t *testing.T) {
		// Past the drain delay the listener is closed, but the slow request holds serve open.
		time.Sleep(2500 * time.Millisecond)
		select {
		case err := <-done:
			t.Fatalf("serve returned with a request in flight: %v", err)
		case r := <-slow:
			t.Fatalf("the slow request ended early: %+v", r)
		default:
		}
		_, err := http.Get(base + "/healthz")
		require.Error(t, err, "no new connections after the drain")
	})

	require.NoError(t, lock.Commit())
	r := <-slow
	require.NoError(t, r.err)
	require.Equal(t, http.StatusOK, r.status)
	var out struct {
		Data struct {
			Products struct {
				TotalCount int
				Edges      []any
			}
		}
		Errors []any
	}
	require.NoError(t, json.Unmarshal([]byte(r.body), &out), "the body arrives whole: %s", r.body)
	require.Empty(t, out.Errors)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not return after the last request finished")
	}
	require.Contains(t, logs.String(), "draining")
}
