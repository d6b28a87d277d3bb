package live

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/reqlog"
)

// Close codes sent to subscribers. 4403 is graphql-transport-ws's Forbidden.
const (
	CloseForbidden    = 4403
	CloseSlowConsumer = 1008 // policy violation: events were not read in time
	CloseGoingAway    = 1001

	websocketInternalError = 1011
)

// Websocket serves GraphQL over WebSocket with the graphql-transport-ws protocol (and the
// legacy graphql-ws one), through gqlgen's transport.
type Websocket struct {
	// Origins are the allowed cross-origin callers, as in the CORS setting ("*" allows any);
	// the server's own host is always allowed.
	Origins []string
	// InitTimeout bounds the wait for connection_init.
	InitTimeout time.Duration
	// PingInterval is how often the server pings; a client that does not answer within two
	// intervals is disconnected.
	PingInterval time.Duration
	// WriteTimeout bounds one message's write: a client that stops reading is cut off.
	WriteTimeout time.Duration
	// MaxSubscriptions caps the subscriptions running at once on one connection.
	MaxSubscriptions int
	// MaxConnections caps the open connections of this process (0: no cap); beyond it an
	// upgrade gets 503.
	MaxConnections int
	// MaxConnectionsPerClient caps the open connections of one client (0: no cap), as told by
	// ClientKey; beyond it an upgrade gets 429.
	MaxConnectionsPerClient int
	// ClientKey names the client of a request (e.g. its IP, after trusted proxies).
	ClientKey func(*http.Request) string
	// Authenticate checks an Authorization value ("Bearer <token>"), returning ctx with the
	// caller and the token's expiry.
	Authenticate func(ctx context.Context, authorization string) (context.Context, time.Time, error)
	// Recheck, when set, is asked every RecheckInterval whether an authenticated connection's
	// caller may go on (e.g. the user still exists); an error closes the connection with 4403.
	Recheck         func(ctx context.Context) error
	RecheckInterval time.Duration
	Log             *slog.Logger

	conns connSet
}

// IsUpgrade reports whether r asks to switch to WebSocket.
func IsUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// Handler serves upgrade requests with gql (a gqlgen server holding Transport). The connection
// outlives the request's deadline, so its context keeps the request's values only; it ends
// when the connection does, or at Shutdown.
func (w *Websocket) Handler(gql http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
		c := &Conn{cancel: cancel, max: w.MaxSubscriptions}
		if w.ClientKey != nil {
			c.client = w.ClientKey(r)
		}
		if !w.admit(rw, r, c) {
			cancel()
			return
		}
		start := time.Now()
		if w.Log != nil {
			w.Log.InfoContext(ctx, "websocket connected", "client", c.client)
		}
		c.done = func() {
			cancel()
			w.conns.remove(c)
			if w.Log != nil {
				w.Log.InfoContext(ctx, "websocket closed", "client", c.client, "duration", time.Since(start).Round(time.Millisecond))
			}
		}
		ctx = context.WithValue(ctx, headerKey{}, r.Header.Get("Authorization"))
		// The request's access-log record describes one operation; a connection runs many at
		// once, so its operations record none.
		ctx = reqlog.NewContext(ctx, nil)
		gql.ServeHTTP(rw, r.WithContext(context.WithValue(ctx, connKey{}, c)))
		if !c.detached {
			c.done() // the upgrade failed, or was refused before the connection was handed off
		}
	})
}

// detach runs an accepted connection's loop (serve) on a goroutine of its own, so that the
// upgrade request's goroutine — and the stack of every middleware above this handler — is
// freed while the connection lives: an idle connection then costs one small goroutine.
func (w *Websocket) detach(ctx context.Context, serve func()) {
	c := ConnFromContext(ctx)
	if c == nil {
		serve()
		return
	}
	c.detached = true
	go func() {
		defer c.done()
		defer func() {
			// The HTTP server's recoverer no longer stands above this goroutine.
			if r := recover(); r != nil {
				if w.Log != nil {
					w.Log.ErrorContext(ctx, "websocket connection panicked", "panic", r)
				}
				c.Close(websocketInternalError, "internal error")
			}
		}()
		serve()
	}()
}

// Connections returns how many connections are open: WebSockets and event streams.
func (w *Websocket) Connections() int { return w.conns.len() }

// Subscriptions returns how many subscriptions the open connections run, however many of them
// share one reader.
func (w *Websocket) Subscriptions() int {
	n := 0
	for _, c := range w.conns.all() {
		n += int(c.subs.Load())
	}
	return n
}

// Shutdown closes every connection — WebSockets with 1001 going away, event streams with a
// SHUTTING_DOWN error event and complete — and waits until they are gone or
// ctx ends.
func (w *Websocket) Shutdown(ctx context.Context) {
	for _, c := range w.conns.all() {
		c.Close(CloseGoingAway, "server shutting down")
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for w.conns.len() > 0 {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Transport is the gqlgen transport to add to the server.
func (w *Websocket) Transport() transport.Websocket {
	return transport.Websocket{
		Implementation:   acceptor{w: w},
		InitFunc:         w.init,
		InitTimeout:      w.InitTimeout,
		PingPongInterval: w.PingInterval,
		Detach:           w.detach,
	}
}

// init authenticates the connection from connection_init's payload or, without one there,
// the upgrade's Authorization header. A refused token closes the socket with 4403; an
// accepted one closes it when it expires.
func (w *Websocket) init(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	authz := payload.Authorization()
	if authz == "" {
		if h, ok := payload["headers"].(map[string]any); ok {
			authz, _ = h["Authorization"].(string)
		}
	}
	if authz == "" {
		authz = headerOf(ctx)
	}
	if authz == "" || w.Authenticate == nil {
		return ctx, nil, nil
	}
	actx, exp, err := w.Authenticate(ctx, authz)
	if err != nil {
		return transport.WithWebsocketCloseCode(ctx, CloseForbidden), nil, err
	}
	if c := ConnFromContext(ctx); c != nil {
		if !exp.IsZero() {
			c.expireAt(exp)
		}
		if w.Recheck != nil && w.RecheckInterval > 0 {
			w.recheck(actx, c)
		}
	}
	return actx, nil, nil
}

// recheck closes c once Recheck refuses its caller, asking every RecheckInterval from a timer
// (not a goroutine per connection) until the connection ends.
func (w *Websocket) recheck(ctx context.Context, c *Conn) {
	// The timer's callback reads t; the race detector sees no order between the assignment
	// and the callback's goroutine without the lock.
	var (
		mu sync.Mutex
		t  *time.Timer
	)
	mu.Lock()
	defer mu.Unlock()
	t = time.AfterFunc(w.RecheckInterval, func() {
		if ctx.Err() != nil {
			return
		}
		if err := w.Recheck(ctx); err != nil {
			c.Close(CloseForbidden, err.Error())
			return
		}
		mu.Lock()
		t.Reset(w.RecheckInterval)
		mu.Unlock()
	})
	context.AfterFunc(ctx, func() {
		mu.Lock()
		t.Stop()
		mu.Unlock()
	})
}

type connKey struct{}
type headerKey struct{}

// ConnFromContext returns the connection (a WebSocket or an event stream) a subscription runs
// on, or nil.
func ConnFromContext(ctx context.Context) *Conn {
	c, _ := ctx.Value(connKey{}).(*Conn)
	return c
}

func headerOf(ctx context.Context) string {
	h, _ := ctx.Value(headerKey{}).(string)
	return h
}

// Conn is one connection's state: a WebSocket's, or an event stream's.
type Conn struct {
	cancel context.CancelFunc
	max    int
	subs   atomic.Int32
	client string
	// done releases the connection once it has ended; detached says that its loop was handed
	// to a goroutine of its own, which then calls done.
	done     func()
	detached bool

	mu     sync.Mutex
	ws     *wsConn
	stream *streamWriter // an event stream's, instead of ws
	expiry *time.Timer
	closed bool
}

// acquire counts a new subscription against the connection's cap.
func (c *Conn) acquire() (release func(), err error) {
	if c == nil {
		return func() {}, nil
	}
	if n := c.subs.Add(1); c.max > 0 && int(n) > c.max {
		c.subs.Add(-1)
		return nil, apperr.Errorf(apperr.TooManySubscriptions,
			"this connection already runs %d subscriptions, the most allowed; complete one or open another connection", c.max)
	}
	var once sync.Once
	return func() { once.Do(func() { c.subs.Add(-1) }) }, nil
}

func (c *Conn) expireAt(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expiry = time.AfterFunc(time.Until(t), func() { c.Close(CloseForbidden, "the token has expired; reconnect with a new one") })
}

// Close closes the connection with code and reason, ending its subscriptions.
func (c *Conn) Close(code int, reason string) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	ws, stream := c.ws, c.stream
	if c.expiry != nil {
		c.expiry.Stop()
	}
	c.mu.Unlock()
	if ws != nil {
		// Before the cancel, so gqlgen's own close (1000) finds the handshake started.
		_ = ws.WriteClose(code, reason)
	}
	if stream != nil {
		// The reason goes first, as an error event, and gqlgen's complete follows the cancel;
		// the write may wait for a stalled client (bounded), and Close is called from the
		// broker's fan-out, which must not wait.
		go func() {
			stream.end(streamCode(code), reason)
			c.cancel()
		}()
		return
	}
	c.cancel()
}

type connSet struct {
	mu       sync.Mutex
	set      map[*Conn]struct{}
	byClient map[string]int
}

var (
	errTooMany          = errors.New("live: too many connections")
	errTooManyForClient = errors.New("live: too many connections for one client")
)

// add registers c unless a cap (0: none) is reached.
func (s *connSet) add(c *Conn, max, perClient int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set == nil {
		s.set, s.byClient = map[*Conn]struct{}{}, map[string]int{}
	}
	if max > 0 && len(s.set) >= max {
		return errTooMany
	}
	if perClient > 0 && s.byClient[c.client] >= perClient {
		return errTooManyForClient
	}
	s.set[c] = struct{}{}
	s.byClient[c.client]++
	return nil
}

func (s *connSet) remove(c *Conn) {
	s.mu.Lock()
	delete(s.set, c)
	if s.byClient[c.client]--; s.byClient[c.client] <= 0 {
		delete(s.byClient, c.client)
	}
	s.mu.Unlock()
	c.mu.Lock()
	if c.expiry != nil {
		c.expiry.Stop()
	}
	c.mu.Unlock()
}

func (s *connSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.set)
}

func (s *connSet) all() []*Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Conn, 0, len(s.set))
	for c := range s.set {
		out = append(out, c)
	}
	return out
}
