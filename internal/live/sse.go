package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/reqlog"
)

// SSE serves subscriptions as Server-Sent Events (the graphql-sse protocol's "distinct
// connections mode": POST /graphql with Accept: text/event-stream, one subscription per
// request) through gqlgen's transport. Each stream counts as one of w's connections, so the
// caps hold across both transports, and is treated like a socket: it outlives the request
// deadline and the HTTP server's write timeout, each event's write is bounded, the token's
// expiry and a deleted user end it, and Shutdown ends it.
type SSE struct{ w *Websocket }

// SSE returns the Server-Sent Events transport sharing w's settings and connection caps.
func (w *Websocket) SSE() SSE { return SSE{w: w} }

var _ graphql.Transport = SSE{}

// Supports reports whether r asks for an event stream, as gqlgen's transport defines it.
func (s SSE) Supports(r *http.Request) bool { return transport.SSE{}.Supports(r) }

// Do runs one streamed operation.
func (s SSE) Do(rw http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	w := s.w
	rc := http.NewResponseController(rw)
	// The server's write timeout would cut the stream's next event: it is replaced by a
	// deadline per write (streamWriter), which every writer between here and net/http must let
	// through. (Its read timeout does not matter: net/http clears the read deadline for the
	// background read that tells it the client went away.)
	var first time.Time // no write timeout: no deadline at all
	if w.WriteTimeout > 0 {
		first = time.Now().Add(w.WriteTimeout)
	}
	if err := rc.SetWriteDeadline(first); err != nil {
		apperr.Refuse(rw, r, http.StatusInternalServerError, string(apperr.Internal), "event streams are not available on this connection; subscribe over WebSocket", nil)
		return
	}
	// Detached from the request deadline, but still ended by the client going away.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	if base, ok := r.Context().Value(baseKey{}).(context.Context); ok {
		stop := context.AfterFunc(base, cancel)
		defer stop()
	}
	c := &Conn{cancel: cancel, max: w.MaxSubscriptions}
	if w.ClientKey != nil {
		c.client = w.ClientKey(r)
	}
	if !w.admit(rw, r, c) {
		return
	}
	defer w.conns.remove(c)
	if info := reqlog.FromContext(r.Context()); info != nil {
		info.Stream = true
	}
	sw := &streamWriter{ResponseWriter: rw, rc: rc, timeout: w.WriteTimeout, cancel: cancel}
	c.mu.Lock()
	c.stream = sw
	c.mu.Unlock()
	ctx, ok := w.authenticateStream(ctx, rw, r, c)
	if !ok {
		return
	}
	start := time.Now()
	if w.Log != nil {
		w.Log.InfoContext(ctx, "event stream opened", "client", c.client)
		defer func() {
			w.Log.InfoContext(ctx, "event stream closed", "client", c.client, "duration", time.Since(start).Round(time.Millisecond))
		}()
	}
	// Proxies (nginx) must pass each event on as it comes.
	rw.Header().Set("X-Accel-Buffering", "no")
	ctx = reqlog.NewContext(context.WithValue(ctx, connKey{}, c), nil)
	transport.SSE{KeepAlivePingInterval: w.PingInterval}.Do(sw, r.WithContext(ctx), exec)
	sw.finish()
}

// authenticateStream authenticates the stream's Authorization header, if any, as the
// WebSocket path does: ctx gets the caller, the token's expiry ends the stream, and so does
// Recheck refusing the caller. A refused token is answered 401 before the stream starts.
func (w *Websocket) authenticateStream(ctx context.Context, rw http.ResponseWriter, r *http.Request, c *Conn) (context.Context, bool) {
	authz := r.Header.Get("Authorization")
	if authz == "" || w.Authenticate == nil {
		return ctx, true
	}
	actx, exp, err := w.Authenticate(ctx, authz)
	if err != nil {
		status, msg, code := http.StatusUnauthorized, "the token is invalid; log in again", apperr.Unauthenticated
		var ae *apperr.Error
		if errors.As(err, &ae) {
			msg, code = ae.Message, ae.Code
		}
		if code != apperr.Unauthenticated {
			status = http.StatusServiceUnavailable // the user lookup failed: retry later
		}
		apperr.Refuse(rw, r, status, string(code), msg, nil)
		return ctx, false
	}
	if !exp.IsZero() {
		c.expireAt(exp)
	}
	if w.Recheck != nil && w.RecheckInterval > 0 {
		w.recheck(actx, c)
	}
	return actx, true
}

// admit registers c against the caps, counting WebSockets and event streams alike, or
// answers the refusal.
func (w *Websocket) admit(rw http.ResponseWriter, r *http.Request, c *Conn) bool {
	switch w.conns.add(c, w.MaxConnections, w.MaxConnectionsPerClient) {
	case errTooMany:
		apperr.Refuse(rw, r, http.StatusServiceUnavailable, string(apperr.Throttled),
			"this server holds as many subscription connections (WebSockets and event streams) as it allows; retry later or on another server", nil)
		return false
	case errTooManyForClient:
		apperr.Refuse(rw, r, http.StatusTooManyRequests, string(apperr.RateLimited),
			"you hold as many subscription connections (WebSockets and event streams) as one client may; close one, or run several subscriptions on one WebSocket", nil)
		return false
	}
	return true
}

type baseKey struct{}

// StreamBase keeps, for event stream requests, the context before the request deadline: a
// stream outlives that deadline, yet must still end when its client goes away, which only
// the context from before the deadline still tells once the deadline passed. Install it
// above the deadline.
func StreamBase(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (transport.SSE{}).Supports(r) {
			r = r.WithContext(context.WithValue(r.Context(), baseKey{}, r.Context()))
		}
		next.ServeHTTP(w, r)
	})
}

// Transports holds each operation to a transport that can carry it: a subscription needs a
// connection (a WebSocket, or an event stream when SSE is on) — over a plain POST or GET it
// would wait for events until the request deadline cut it; and an event stream runs a
// subscription only — a query or mutation there would escape the request deadline and the
// HTTP cache and status rules of a plain POST, and gain nothing from a stream.
type Transports struct {
	// SSE says whether event streams are served, for the refusal's advice.
	SSE bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = Transports{}

// ExtensionName names the extension for gqlgen.
func (Transports) ExtensionName() string { return "VitrineTransports" }

// Validate accepts every schema.
func (Transports) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext refuses an operation its transport cannot carry (BAD_REQUEST).
func (x Transports) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	c := ConnFromContext(ctx)
	subscription := oc.Operation.Operation == ast.Subscription
	switch {
	case subscription && c == nil:
		msg := "subscriptions run over a WebSocket to /graphql (graphql-transport-ws)"
		if x.SSE {
			msg += " or as Server-Sent Events (POST with Accept: text/event-stream)"
		}
		return &gqlerror.Error{Message: msg + ", not over a plain request", Extensions: map[string]any{"code": string(apperr.BadRequest)}}
	case !subscription && c != nil && c.stream != nil:
		return &gqlerror.Error{
			Message:    "only subscriptions run as event streams (Accept: text/event-stream); send queries and mutations as a POST with Accept: application/json",
			Extensions: map[string]any{"code": string(apperr.BadRequest)},
		}
	}
	return nil
}

// streamWriter bounds each write of an event stream: a client that stops reading is cut
// after timeout, its stream then ends, and nothing more is buffered for it. It also lets
// the server end the stream with an error event between two of gqlgen's events (gqlgen
// writes each event with one Write).
type streamWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	cancel  context.CancelFunc

	mu       sync.Mutex
	err      error
	started  bool // gqlgen opened the stream (its first comment)
	finished bool // gqlgen sent complete, or returned
}

func (s *streamWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeLocked(p)
}

func (s *streamWriter) writeLocked(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.timeout > 0 {
		if err := s.rc.SetWriteDeadline(time.Now().Add(s.timeout)); err != nil {
			s.fail(err)
			return 0, err
		}
	}
	n, err := s.ResponseWriter.Write(p)
	if err != nil {
		s.fail(err)
		return n, err
	}
	if s.ResponseWriter.Header().Get("Content-Type") == "text/event-stream" {
		s.started = true
	}
	if bytes.HasPrefix(p, []byte("event: complete")) {
		s.finished = true
	}
	return n, nil
}

// Flush sends what was written; net/http writes to the socket here, so the deadline is set
// again.
func (s *streamWriter) Flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushLocked()
}

func (s *streamWriter) flushLocked() {
	if s.err != nil {
		return
	}
	if s.timeout > 0 {
		if err := s.rc.SetWriteDeadline(time.Now().Add(s.timeout)); err != nil {
			s.fail(err)
			return
		}
	}
	if err := s.rc.Flush(); err != nil {
		s.fail(err)
	}
}

// fail ends the stream after a failed write: the client is gone or stalled.
func (s *streamWriter) fail(err error) {
	s.err = err
	s.cancel()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *streamWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *streamWriter) finish() {
	s.mu.Lock()
	s.finished = true
	s.mu.Unlock()
}

// end sends a last event carrying an error with code and message, unless the stream has
// not started or is over; gqlgen sends complete once the stream's context ends.
func (s *streamWriter) end(code apperr.Code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started || s.finished {
		return
	}
	b, err := json.Marshal(graphql.Response{Errors: gqlerror.List{{Message: message, Extensions: map[string]any{"code": string(code)}}}})
	if err != nil {
		return
	}
	if _, err := s.writeLocked(append(append([]byte("event: next\ndata: "), b...), "\n\n"...)); err == nil {
		s.flushLocked()
	}
}

// streamCode is the error code an event stream ends with, for a WebSocket close code.
func streamCode(closeCode int) apperr.Code {
	switch closeCode {
	case CloseForbidden:
		return apperr.Unauthenticated
	case CloseSlowConsumer:
		return apperr.SlowConsumer
	case CloseGoingAway:
		return apperr.ShuttingDown
	}
	return apperr.Internal
}
