package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/storetest"
)

// TestShutdownClosesSubscriptionsGoingAway: the served binary takes a graphql-transport-ws
// subscription and a Server-Sent Events one (one shared watch), reports them in /metrics, and at shutdown, after
// the drain, closes the socket with 1001 going away and ends the stream with a SHUTTING_DOWN
// error and complete, before serve returns — well within the shutdown deadline, which an
// open stream (a request) would otherwise hold up.
func TestShutdownClosesSubscriptionsGoingAway(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL":             storetest.URL(t),
		"VITRINE_DATA_DIR":         t.TempDir(),
		"VITRINE_SHUTDOWN_DRAIN":   "300ms",
		"VITRINE_METRICS_PUBLIC":   "true",
		"VITRINE_SHUTDOWN_TIMEOUT": "10s",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncBuffer{}
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, nil, logs, func(a net.Addr) { addrc <- a })
	}()
	var addr string
	select {
	case a := <-addrc:
		addr = a.String()
	case err := <-done:
		t.Fatalf("serve exited early: %v\n%s", err, logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start\n%s", logs)
	}

	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer dcancel()
	c, _, err := coderws.Dial(dctx, "ws://"+addr+"/graphql", &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	require.NoError(t, err)
	defer c.CloseNow()
	require.NoError(t, c.Write(dctx, coderws.MessageText, []byte(`{"type":"connection_init"}`)))
	_, ack, err := c.Read(dctx)
	require.NoError(t, err)
	require.Contains(t, string(ack), "connection_ack")
	require.NoError(t, c.Write(dctx, coderws.MessageText, []byte(`{"id":"1","type":"subscribe","payload":{"query":"subscription { ratingStatsChanged { count } }"}}`)))

	req, err := http.NewRequestWithContext(dctx, http.MethodPost, "http://"+addr+"/graphql",
		strings.NewReader(`{"query":"subscription { ratingStatsChanged { count } }"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	stream, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer stream.Body.Close()
	require.Equal(t, "text/event-stream", stream.Header.Get("Content-Type"))

	eventually(t, "the subscriptions show in /metrics", func() bool {
		res, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return false
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return strings.Contains(string(b), "vitrine_live_subscriptions 2") && strings.Contains(string(b), "vitrine_live_connections 2") &&
			strings.Contains(string(b), "vitrine_live_fanout_seconds_count")
	})

	cancel() // what SIGTERM does in main
	var code coderws.StatusCode = -1
	for {
		if _, _, err := c.Read(dctx); err != nil {
			code = coderws.CloseStatus(err)
			break
		}
	}
	require.Equal(t, coderws.StatusGoingAway, code, "logs:\n%s", logs)
	events, err := io.ReadAll(stream.Body) // the server ends the response
	require.NoError(t, err)
	require.Contains(t, string(events), "event: next\ndata: {\"errors\":[{\"message\":\"server shutting down\",\"extensions\":{\"code\":\"SHUTTING_DOWN\"}}]")
	require.True(t, strings.HasSuffix(string(events), "event: complete\n\n"), "events:\n%s", events)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(8 * time.Second):
		t.Fatal("serve did not return")
	}
}
