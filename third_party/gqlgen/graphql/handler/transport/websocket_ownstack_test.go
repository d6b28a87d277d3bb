package transport_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/testserver"
	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// awaitingImplementation accepts connections that implement WebsocketInputAwaiter.
type awaitingImplementation struct{}

func (awaitingImplementation) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	c, err := transport.CoderWebsocketImplementation{}.Accept(w, r, opts)
	if err != nil {
		return nil, err
	}
	return awaitingConn{c}, nil
}

type awaitingConn struct{ transport.WebsocketConn }

// AwaitInput may return early; the read that follows waits.
func (awaitingConn) AwaitInput() {}

func ownStack() string {
	buf := make([]byte, 64<<10)
	return string(buf[:runtime.Stack(buf, false)])
}

func TestWebsocketAwaiterHandlesMessagesOnOwnStack(t *testing.T) {
	// Detach below starts the connection's goroutine from the test.
	startedByTest := "created by github.com/99designs/gqlgen/graphql/handler/transport_test."
	t.Run("messages are handled off the waiting goroutine", func(t *testing.T) {
		h := testserver.New()
		initStack := make(chan string, 1)
		served := make(chan any, 1)
		h.AddTransport(transport.Websocket{
			Implementation: awaitingImplementation{},
			InitFunc: func(ctx context.Context, _ transport.InitPayload) (context.Context, *transport.InitPayload, error) {
				initStack <- ownStack()
				return ctx, nil, nil
			},
			Detach: func(_ context.Context, serve func()) {
				go func() {
					defer func() { served <- recover() }()
					serve()
				}()
			},
		})
		srv := httptest.NewServer(h)
		defer srv.Close()

		c := wsConnectWithSubprotocol(srv.URL, graphqltransportwsSubprotocol)
		defer c.Close()
		require.NoError(t, c.WriteJSON(&operationMessage{Type: graphqltransportwsConnectionInitMsg}))
		assert.Equal(t, graphqltransportwsConnectionAckMsg, readOp(c).Type)
		// The connection's goroutine (serve's) only waits: the handling runs on another.
		assert.NotContains(t, <-initStack, startedByTest)

		require.NoError(t, c.WriteJSON(&operationMessage{Type: graphqltransportwsPingMsg}))
		assert.Equal(t, graphqltransportwsPongMsg, readOp(c).Type)
		require.NoError(t, c.WriteJSON(&operationMessage{
			Type:    graphqltransportwsSubscribeMsg,
			ID:      "test_1",
			Payload: []byte(`{"query": "subscription { name }"}`),
		}))
		h.SendNextSubscriptionMessage()
		msg := readOp(c)
		require.Equal(t, graphqltransportwsNextMsg, msg.Type)
		require.JSONEq(t, `{"data":{"name":"test"}}`, string(msg.Payload))

		require.NoError(t, c.WriteJSON(&operationMessage{Type: connectionTerminateMsg}))
		select {
		case r := <-served:
			require.Nil(t, r)
		case <-time.After(5 * time.Second):
			t.Fatal("the connection's loop did not end with the connection")
		}
	})

	t.Run("a panic while handling a message reaches the connection's goroutine", func(t *testing.T) {
		h := testserver.New()
		served := make(chan any, 1)
		h.AddTransport(transport.Websocket{
			Implementation: awaitingImplementation{},
			InitFunc: func(ctx context.Context, _ transport.InitPayload) (context.Context, *transport.InitPayload, error) {
				panic("boom")
			},
			Detach: func(_ context.Context, serve func()) {
				go func() {
					defer func() {
						r := recover()
						if s, ok := r.(string); ok && s == "boom" {
							if !strings.Contains(ownStack(), startedByTest) {
								r = "recovered elsewhere"
							}
						}
						served <- r
					}()
					serve()
				}()
			},
		})
		srv := httptest.NewServer(h)
		defer srv.Close()

		c := wsConnectWithSubprotocol(srv.URL, graphqltransportwsSubprotocol)
		defer c.Close()
		require.NoError(t, c.WriteJSON(&operationMessage{Type: graphqltransportwsConnectionInitMsg}))
		select {
		case r := <-served:
			require.Equal(t, "boom", r)
		case <-time.After(5 * time.Second):
			t.Fatal("the panic did not reach the connection's goroutine")
		}
	})
}

// streamServer serves `subscription { name }` from events through graphql.ResolveFieldStream,
// as generated code does, so that the transport waits for them with a StreamWait.
func streamServer(events <-chan string) *handler.Server {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: `
		type Query { name: String! }
		type Subscription { name: String! }
	`})
	return handler.New(&graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return schema },
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) {
			return 0, false
		},
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			oc := graphql.GetOperationContext(ctx)
			field := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Subscription"})[0]
			next := graphql.ResolveFieldStream(ctx, oc, field,
				func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
					return &graphql.FieldContext{Object: "Subscription", Field: field, IsMethod: true, IsResolver: true}, nil
				},
				func(context.Context) (any, error) { return events, nil },
				nil,
				func(_ context.Context, _ ast.SelectionSet, v string) graphql.Marshaler {
					if v == "boom" {
						panic("boom")
					}
					return graphql.MarshalString(v)
				},
				true, true)
			return func(ctx context.Context) *graphql.Response {
				m := next(ctx)
				if m == nil {
					return nil
				}
				var buf bytes.Buffer
				m.MarshalGQL(&buf)
				return &graphql.Response{Data: buf.Bytes()}
			}
		},
	})
}

func TestWebsocketStreamEventsOnOwnStack(t *testing.T) {
	events := make(chan string)
	h := streamServer(events)
	recoveredOn := make(chan string, 1)
	h.SetRecoverFunc(func(_ context.Context, p any) error {
		recoveredOn <- ownStack()
		return fmt.Errorf("recovered %v", p)
	})
	h.AddTransport(transport.Websocket{})
	srv := httptest.NewServer(h)
	defer srv.Close()

	c := wsConnectWithSubprotocol(srv.URL, graphqltransportwsSubprotocol)
	defer c.Close()
	require.NoError(t, c.WriteJSON(&operationMessage{Type: graphqltransportwsConnectionInitMsg}))
	assert.Equal(t, graphqltransportwsConnectionAckMsg, readOp(c).Type)
	require.NoError(t, c.WriteJSON(&operationMessage{
		Type:    graphqltransportwsSubscribeMsg,
		ID:      "test_1",
		Payload: []byte(`{"query": "subscription { name }"}`),
	}))

	events <- "one"
	msg := readOp(c)
	require.Equal(t, graphqltransportwsNextMsg, msg.Type)
	require.JSONEq(t, `{"data":{"name":"one"}}`, string(msg.Payload))

	// A panic while making an event's response is reported as before, and the recover function
	// runs on the goroutine that panicked: the stack it sees (and logs) has the panicking frames.
	events <- "boom"
	msg = readOp(c)
	require.Equal(t, "error", msg.Type)
	require.Contains(t, string(msg.Payload), "recovered boom")
	require.Contains(t, <-recoveredOn, "transport_test.streamServer")
	require.Equal(t, graphqltransportwsCompleteMsg, readOp(c).Type)
}
