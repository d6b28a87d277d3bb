package transport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/99designs/gqlgen/graphql/handler/testserver"
	"github.com/99designs/gqlgen/graphql/handler/transport"
)

func TestWebsocketDetach(t *testing.T) {
	h := testserver.New()
	detached := make(chan struct{}, 1)
	served := make(chan struct{})
	h.AddTransport(transport.Websocket{
		PingPongInterval: 50 * time.Millisecond,
		Detach: func(_ context.Context, serve func()) {
			detached <- struct{}{}
			go func() {
				defer close(served)
				serve()
			}()
		},
	})
	returned := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		returned <- struct{}{}
	}))
	defer srv.Close()

	c := wsConnectWithSubprotocol(srv.URL, graphqltransportwsSubprotocol)
	defer c.Close()
	<-detached
	select {
	case <-returned:
	case <-time.After(time.Second):
		t.Fatal("the upgrade's handler did not return once the connection was handed off")
	}

	// The handed-off connection is served as before: init, a subscription's events, pings.
	require.NoError(t, c.WriteJSON(&operationMessage{Type: graphqltransportwsConnectionInitMsg}))
	assert.Equal(t, graphqltransportwsConnectionAckMsg, readOp(c).Type)
	require.NoError(t, c.WriteJSON(&operationMessage{
		Type:    graphqltransportwsSubscribeMsg,
		ID:      "test_1",
		Payload: []byte(`{"query": "subscription { name }"}`),
	}))
	h.SendNextSubscriptionMessage()
	for {
		msg := readOp(c)
		if msg.Type == graphqltransportwsPingMsg {
			continue
		}
		require.Equal(t, graphqltransportwsNextMsg, msg.Type)
		require.JSONEq(t, `{"data":{"name":"test"}}`, string(msg.Payload))
		break
	}
	for readOp(c).Type != graphqltransportwsPingMsg {
	}

	require.NoError(t, c.WriteJSON(&operationMessage{Type: connectionTerminateMsg}))
	select {
	case <-served:
	case <-time.After(5 * time.Second):
		t.Fatal("the detached loop did not end with the connection")
	}
}
