package live

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// gqlgen keeps the request's headers it accepted for the connection's life, for its
// operations: of them only Authorization is kept.
func TestAcceptKeepsOnlyTheOperationHeaders(t *testing.T) {
	kept := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		c, err := acceptor{w: &Websocket{Origins: []string{"*"}}}.Accept(rw, r, transport.WebsocketAcceptOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			kept <- nil
			return
		}
		kept <- r.Header
		_ = c.Close()
	}))
	defer srv.Close()

	h := http.Header{}
	h.Set("Authorization", "Bearer t")
	h.Set("Cookie", "session="+strings.Repeat("x", 500))
	h.Set("User-Agent", "test")
	c, _, err := coderws.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), &coderws.DialOptions{HTTPHeader: h, Subprotocols: []string{"graphql-transport-ws"}})
	require.NoError(t, err)
	defer c.CloseNow()
	require.Equal(t, http.Header{"Authorization": {"Bearer t"}}, <-kept)
}

// acceptOne accepts one WebSocket connection with writeTimeout, and dials it.
func acceptOne(t *testing.T, writeTimeout time.Duration) (transport.WebsocketConn, *coderws.Conn) {
	accepted := make(chan transport.WebsocketConn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		c, err := acceptor{w: &Websocket{Origins: []string{"*"}, WriteTimeout: writeTimeout}}.Accept(rw, r, transport.WebsocketAcceptOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}))
	t.Cleanup(srv.Close)
	client, _, err := coderws.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.CloseNow() })
	c := <-accepted
	require.NotNil(t, c)
	return c, client
}

// A write's deadline ends with it: after a quiet spell longer than the write timeout, messages
// and the close handshake (which coder/websocket writes itself) still go.
func TestWriteTimeoutEndsWithTheWrite(t *testing.T) {
	c, client := acceptOne(t, 200*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 2 {
		require.NoError(t, c.WriteJSON(map[string]string{"type": "ping"}))
		_, msg, err := client.Read(ctx)
		require.NoError(t, err)
		require.JSONEq(t, `{"type":"ping"}`, string(msg))
		time.Sleep(300 * time.Millisecond)
	}
	require.NoError(t, c.WriteClose(CloseGoingAway, "bye"))
	_, _, err := client.Read(ctx)
	require.Equal(t, coderws.StatusGoingAway, coderws.CloseStatus(err), "read: %v", err)
}

// A client that stops reading has a write cut after WriteTimeout, and its connection closed.
func TestWriteTimeoutCutsAStalledClient(t *testing.T) {
	c, _ := acceptOne(t, 200*time.Millisecond)
	// More than the socket buffers hold, and the client never reads.
	big := map[string]string{"payload": strings.Repeat("x", 64<<20)}
	done := make(chan error, 1)
	go func() { done <- c.WriteJSON(big) }()
	select {
	case err := <-done:
		require.Error(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("a write to a client that does not read was not cut")
	}
	require.Error(t, c.WriteJSON(map[string]string{"type": "ping"}), "the connection stays open after a cut write")
}
