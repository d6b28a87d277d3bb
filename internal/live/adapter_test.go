package live

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
