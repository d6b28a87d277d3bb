package graph_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	coderws "github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/account"
	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/catalog"
	"github.com/vitrinehq/vitrine/internal/feedback"
	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/live"
	"github.com/vitrinehq/vitrine/internal/quiz"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/throttle"
	"github.com/vitrinehq/vitrine/internal/tracing"
	"github.com/vitrinehq/vitrine/server"
)

// liveServer is one Vitrine process serving subscriptions: its own broker and WebSocket
// transport over a shared store.
type liveServer struct {
	url    string // http://host
	gql    *gqltest.Client
	tokens *auth.Tokens
	broker *live.Broker
	ws     *live.Websocket
}

type liveOptions struct {
	maxSubs  int
	interval time.Duration
	ttl      time.Duration
	pgURL    string // set: fan out through Postgres LISTEN/NOTIFY
	perIP    int
	total    int
	logs     io.Writer     // the server's log records, as JSON; nil discards them
	slow     time.Duration // the slow-operation threshold; 0: off
	tracing  *tracing.Tracing
	throttle *throttle.Throttle
	// Event streams: the request deadline (0: limits' default), the HTTP server's read and
	// write timeouts (0: none), the keepalive interval (0: a minute), trusted documents.
	requestTimeout time.Duration
	serverTimeout  time.Duration
	ping           time.Duration
	writeTimeout   time.Duration // one message's write (0: 2 s)
	documents      graphql.HandlerExtension
	noSSE          bool // VITRINE_SSE=false
}

func newLiveServer(t *testing.T, st *store.Store, o liveOptions) *liveServer {
	t.Helper()
	if o.maxSubs == 0 {
		o.maxSubs = 10
	}
	if o.ttl == 0 {
		o.ttl = time.Hour
	}
	if o.logs == nil {
		o.logs = io.Discard
	}
	if o.writeTimeout == 0 {
		o.writeTimeout = 2 * time.Second
	}
	if o.ping == 0 {
		o.ping = time.Minute
	}
	log := slog.New(slog.NewJSONHandler(o.logs, nil))
	tokens, err := auth.NewTokens(testSecret, o.ttl, testIssuer, testAudience)
	require.NoError(t, err)
	accounts, err := account.New(st.Client, bcrypt.MinCost)
	require.NoError(t, err)
	broker := live.NewBroker(8)
	broker.Tracer = o.tracing.Tracer()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if o.pgURL != "" {
		require.NoError(t, broker.ListenPostgres(ctx, o.pgURL, st.DB, log))
	}
	ws := &live.Websocket{
		Origins: []string{"https://shop.example"}, InitTimeout: time.Second, PingInterval: o.ping,
		WriteTimeout: o.writeTimeout, MaxSubscriptions: o.maxSubs, Log: log,
		MaxConnections: o.total, MaxConnectionsPerClient: o.perIP,
		ClientKey:       func(r *http.Request) string { return r.Header.Get("X-Test-Client") },
		Recheck:         auth.Recheck(accounts.Lookup),
		RecheckInterval: 100 * time.Millisecond,
		Authenticate: func(ctx context.Context, a string) (context.Context, time.Time, error) {
			return tokens.Session(ctx, a, accounts.Lookup)
		},
	}
	resolver := &graph.Resolver{
		Client: st.Client, Catalog: catalog.New(st.Client, st.Dialect).WithLive(broker), Analytics: analytics.New(st.Client, st.Dialect),
		Accounts: accounts, Feedback: feedback.New(st.Client).WithLive(broker), Tokens: tokens,
		Finder: quiz.New(st.Client, st.Dialect), Live: broker, LiveInterval: o.interval,
	}
	opts := server.Options{Log: log, Ready: st.Ping, Introspection: true, Websocket: ws, SSE: !o.noSSE, SlowOperation: o.slow,
		Documents: o.documents, Tracing: o.tracing, Throttle: o.throttle}
	if o.requestTimeout > 0 {
		lim := limits.Defaults()
		lim.RequestTimeout = o.requestTimeout
		opts.Limits = &lim
	}
	srv := httptest.NewUnstartedServer(server.New(resolver, opts))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = o.serverTimeout, o.serverTimeout
	srv.Start()
	t.Cleanup(func() {
		sctx, stop := context.WithTimeout(context.Background(), 2*time.Second)
		defer stop()
		ws.Shutdown(sctx)
		srv.Close()
	})
	return &liveServer{url: srv.URL, gql: &gqltest.Client{URL: srv.URL + "/graphql"}, tokens: tokens, broker: broker, ws: ws}
}

func (s *liveServer) token(t *testing.T, userID int) string {
	t.Helper()
	tok, _, err := s.tokens.Issue(userID, user.RoleUSER)
	require.NoError(t, err)
	return "Bearer " + tok
}

func (s *liveServer) as(authorization string) *gqltest.Client {
	return &gqltest.Client{URL: s.gql.URL, Header: http.Header{"Authorization": {authorization}}}
}

// wsClient speaks graphql-transport-ws, as the graphql-ws library does. One goroutine reads
// (a coder/websocket read whose context ends closes the connection).
type wsClient struct {
	t    *testing.T
	c    *coderws.Conn
	msgs chan wsMessage
	err  chan error
}

func newWSClient(t *testing.T, c *coderws.Conn) *wsClient {
	w := &wsClient{t: t, c: c, msgs: make(chan wsMessage, 100), err: make(chan error, 1)}
	go func() {
		for {
			_, data, err := c.Read(context.Background())
			if err != nil {
				w.err <- err
				return
			}
			var m wsMessage
			if json.Unmarshal(data, &m) != nil {
				continue
			}
			if m.Type == "ping" {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				_ = c.Write(ctx, coderws.MessageText, []byte(`{"type":"pong"}`))
				cancel()
				continue
			}
			w.msgs <- m
		}
	}()
	return w
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// dial opens a connection; it does not send connection_init.
func (s *liveServer) dial(t *testing.T, header http.Header) (*coderws.Conn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return coderws.Dial(ctx, "ws"+strings.TrimPrefix(s.url, "http")+"/graphql",
		&coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header})
}

// connect dials and completes connection_init with payload, expecting connection_ack.
func (s *liveServer) connect(t *testing.T, payload map[string]any) *wsClient {
	t.Helper()
	c, _, err := s.dial(t, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.CloseNow() })
	w := newWSClient(t, c)
	w.send(wsMessage{Type: "connection_init", Payload: mustJSON(t, payload)})
	require.Equal(t, "connection_ack", w.next(5*time.Second).Type)
	return w
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func (w *wsClient) send(m wsMessage) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(w.t, w.c.Write(ctx, coderws.MessageText, mustJSON(w.t, m)))
}

func (w *wsClient) subscribe(id, query string, vars map[string]any) {
	w.t.Helper()
	w.send(wsMessage{ID: id, Type: "subscribe", Payload: mustJSON(w.t, map[string]any{"query": query, "variables": vars})})
}

// read returns the next message other than ping/pong, or the connection's error, or a timeout.
func (w *wsClient) read(timeout time.Duration) (wsMessage, error) {
	select {
	case m := <-w.msgs:
		return m, nil
	case err := <-w.err:
		w.err <- err // it stays closed
		return wsMessage{}, err
	case <-time.After(timeout):
		return wsMessage{}, context.DeadlineExceeded
	}
}

func (w *wsClient) next(timeout time.Duration) wsMessage {
	w.t.Helper()
	m, err := w.read(timeout)
	require.NoError(w.t, err)
	return m
}

// none asserts that nothing arrives for d.
func (w *wsClient) none(d time.Duration) {
	w.t.Helper()
	m, err := w.read(d)
	require.Error(w.t, err, "unexpected message %+v", m)
}

// data decodes a next message's data into dst.
func (w *wsClient) data(id string, dst any) {
	w.t.Helper()
	m := w.next(5 * time.Second)
	require.Equal(w.t, "next", m.Type, "payload %s", m.Payload)
	require.Equal(w.t, id, m.ID)
	var p struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqltest.Error `json:"errors"`
	}
	require.NoError(w.t, json.Unmarshal(m.Payload, &p))
	require.Empty(w.t, p.Errors)
	require.NoError(w.t, json.Unmarshal(p.Data, dst))
}

// closeCode waits for the server to close the connection and returns its code.
func (w *wsClient) closeCode(timeout time.Duration) coderws.StatusCode {
	w.t.Helper()
	for {
		_, err := w.read(timeout)
		if err != nil {
			return coderws.CloseStatus(err)
		}
	}
}
