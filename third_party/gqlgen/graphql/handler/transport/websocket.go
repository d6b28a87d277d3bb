package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
)

type (
	// Websocket transport configuration.
	//
	// Note: when an OperationInterceptor returns an error instead of calling next(),
	// it must use graphql.OneShot to ensure the transport doesn't infinitely loop
	// on a continuous stream of errors.
	Websocket struct {
		// Implementation accepts HTTP requests as websocket connections. If nil,
		// gqlgen uses a CoderWebsocketImplementation with zero-valued accept
		// options.
		Implementation WebsocketImplementation

		InitFunc              WebsocketInitFunc
		InitTimeout           time.Duration
		ErrorFunc             WebsocketErrorFunc
		CloseFunc             WebsocketCloseFunc
		KeepAlivePingInterval time.Duration
		PongOnlyInterval      time.Duration
		PingPongInterval      time.Duration
		/* If PingPongInterval has a non-0 duration, then when the server sends a ping
		 * it sets a ReadDeadline of PingPongInterval*2 and if the client doesn't respond
		 * with pong before that deadline is reached then the connection will die with a
		 * 1006 error code.
		 *
		 * MissingPongOk if true, tells the server to not use a ReadDeadline such that a
		 * missing/slow pong response from the client doesn't kill the connection.
		 */
		MissingPongOk bool

		// PayloadReadLimit is the maximum size in bytes of a WebSocket message read from the client.
		// If nil, defaults to 1 MB. Set to a pointer of -1 to disable the limit entirely.
		// Custom websocket adapters must implement WebsocketReadLimiter to enforce this limit.
		PayloadReadLimit *int64

		// Detach, when set, is handed the rest of an accepted connection's life (waiting for
		// connection_init, then reading messages until the connection ends) instead of Do
		// running it. It should start serve on a goroutine of its own and return: Do then
		// returns too, and the HTTP handler's goroutine, with the stack of every middleware
		// above it, is freed while the connection stays open. ctx is the request's context;
		// the connection keeps its values but not its cancellation, and ends with serve.
		Detach func(ctx context.Context, serve func())
	}
	wsConnection struct {
		Websocket
		ctx          context.Context
		conn         WebsocketConn
		me           messageExchanger
		active       map[string]context.CancelFunc
		mu           sync.Mutex
		receivedPong bool
		exec         graphql.GraphExecutor
		closed       bool
		headers      http.Header

		initPayload InitPayload
	}

	WebsocketInitFunc  func(ctx context.Context, initPayload InitPayload) (context.Context, *InitPayload, error)
	WebsocketErrorFunc func(ctx context.Context, err error)

	// Callback called when websocket is closed.
	WebsocketCloseFunc func(ctx context.Context, closeCode int)
)

// defaultPayloadReadLimit is applied when PayloadReadLimit is 0.
const defaultPayloadReadLimit = 1024 * 1024 // 1 MB

var errReadTimeout = errors.New("read timeout")

// ErrWebsocketClosed indicates that the peer closed the websocket connection.
var ErrWebsocketClosed = errors.New("websocket connection closed")

type WebsocketError struct {
	Err error

	// IsReadError flags whether the error occurred on read or write to the websocket
	IsReadError bool
}

func (e WebsocketError) Error() string {
	if e.IsReadError {
		return fmt.Sprintf("websocket read: %v", e.Err)
	}
	return fmt.Sprintf("websocket write: %v", e.Err)
}

func (e WebsocketError) Unwrap() error {
	return e.Err
}

var (
	_ graphql.Transport = Websocket{}
	_ error             = WebsocketError{}
)

func (t Websocket) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") != ""
}

func (t Websocket) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ws, err := t.websocketImplementation().Accept(w, r, WebsocketAcceptOptions{
		ResponseHeader: http.Header{},
		Subprotocols:   supportedSubprotocols,
	})
	if err != nil {
		log.Printf("unable to upgrade %T to websocket %s: ", w, err.Error())
		SendErrorf(w, http.StatusBadRequest, "unable to upgrade")
		return
	}

	var me messageExchanger
	switch ws.Subprotocol() {
	default:
		_ = ws.WriteClose(
			WebsocketCloseProtocolError,
			fmt.Sprintf("unsupported negotiated subprotocol %s", ws.Subprotocol()),
		)
		return
	case graphqlwsSubprotocol, "":
		// clients are required to send a subprotocol, to be backward compatible with the previous
		// implementation we select
		// "graphql-ws" by default
		me = graphqlwsMessageExchanger{c: ws}
	case graphqltransportwsSubprotocol:
		me = graphqltransportwsMessageExchanger{c: ws}
	}

	readLimit := int64(defaultPayloadReadLimit)
	if t.PayloadReadLimit != nil {
		readLimit = *t.PayloadReadLimit
	}
	if readLimit > 0 {
		if limiter, ok := ws.(WebsocketReadLimiter); ok {
			limiter.SetReadLimit(readLimit)
		}
	}

	conn := wsConnection{
		active:    map[string]context.CancelFunc{},
		conn:      ws,
		ctx:       r.Context(),
		exec:      exec,
		me:        me,
		headers:   r.Header,
		Websocket: t,
	}

	serve := func() {
		ok := false
		if _, awaits := ws.(WebsocketInputAwaiter); awaits {
			// connection_init (decoding, InitFunc) is handled off this goroutine too, which
			// then parks between messages for the connection's life: see onOwnStack.
			onOwnStack(func() { ok = conn.init() }, rethrow)
		} else {
			ok = conn.init()
		}
		if ok {
			conn.run()
		}
	}
	if t.Detach != nil {
		// The request's context ends when Do returns; the connection keeps its values only.
		conn.ctx = context.WithoutCancel(conn.ctx)
		t.Detach(r.Context(), serve)
		return
	}
	serve()
}

func (t Websocket) websocketImplementation() WebsocketImplementation {
	if t.Implementation != nil {
		return t.Implementation
	}

	return CoderWebsocketImplementation{}
}

func (c *wsConnection) handlePossibleError(err error, isReadError bool) {
	if c.ErrorFunc != nil && err != nil {
		c.ErrorFunc(c.ctx, WebsocketError{
			Err:         err,
			IsReadError: isReadError,
		})
	}
}

func (c *wsConnection) nextMessageWithTimeout(timeout time.Duration) (message, error) {
	messages, errs := make(chan message, 1), make(chan error, 1)

	go func() {
		if m, err := c.me.NextMessage(); err != nil {
			errs <- err
		} else {
			messages <- m
		}
	}()

	select {
	case m := <-messages:
		return m, nil
	case err := <-errs:
		return message{}, err
	case <-time.After(timeout):
		return message{}, errReadTimeout
	}
}

func (c *wsConnection) init() bool {
	var m message
	var err error

	if c.InitTimeout != 0 {
		m, err = c.nextMessageWithTimeout(c.InitTimeout)
	} else {
		m, err = c.me.NextMessage()
	}

	if err != nil {
		if err == errReadTimeout {
			c.close(WebsocketCloseProtocolError, "connection initialisation timeout")
			return false
		}

		if err == errInvalidMsg {
			c.sendConnectionError("invalid json")
		}

		c.close(WebsocketCloseProtocolError, "decoding error")
		return false
	}

	switch m.t {
	case initMessageType:
		if len(m.payload) > 0 {
			c.initPayload = make(InitPayload)
			err := json.Unmarshal(m.payload, &c.initPayload)
			if err != nil {
				return false
			}
		}

		var initAckPayload *InitPayload
		if c.InitFunc != nil {
			var ctx context.Context
			ctx, initAckPayload, err = c.InitFunc(c.ctx, c.initPayload)
			if err != nil {
				c.sendConnectionError("%s", err.Error())
				reason := closeReasonForContext(ctx)
				if reason == "" {
					reason = "terminated"
				}
				c.close(websocketCloseCodeForContext(ctx), reason)
				return false
			}
			c.ctx = ctx
		}

		if initAckPayload != nil {
			initJsonAckPayload, err := json.Marshal(*initAckPayload)
			if err != nil {
				panic(err)
			}
			c.write(&message{t: connectionAckMessageType, payload: initJsonAckPayload})
		} else {
			c.write(&message{t: connectionAckMessageType})
		}
		c.write(&message{t: keepAliveMessageType})
	case connectionCloseMessageType:
		c.close(WebsocketCloseNormalClosure, "terminated")
		return false
	default:
		c.sendConnectionError("unexpected message %s", m.t)
		c.close(WebsocketCloseProtocolError, "unexpected message")
		return false
	}

	return true
}

func (c *wsConnection) write(msg *message) {
	c.mu.Lock()
	c.handlePossibleError(c.me.Send(msg), false)
	c.mu.Unlock()
}

func (c *wsConnection) run() {
	// We create a cancellation that will shutdown the keep-alive when we leave
	// this function.
	ctx, cancel := context.WithCancel(c.ctx)
	defer func() {
		cancel()
	}()

	// The keep-alive, pong and ping messages are sent from timers, and the connection is closed
	// from a context callback, rather than from a goroutine each: an idle connection then costs
	// one goroutine (this loop's), which matters with many thousands of subscribers.

	// If we're running in graphql-ws mode, create a timer that will trigger a
	// keep alive message every interval
	if (c.conn.Subprotocol() == "" || c.conn.Subprotocol() == graphqlwsSubprotocol) &&
		c.KeepAlivePingInterval != 0 {
		every(ctx, c.KeepAlivePingInterval, func() {
			c.write(&message{t: keepAliveMessageType})
		})
	}

	// If we're running in graphql-transport-ws mode, create a timer that will trigger a
	// just a pong message every interval
	if c.conn.Subprotocol() == graphqltransportwsSubprotocol && c.PongOnlyInterval != 0 {
		every(ctx, c.PongOnlyInterval, func() {
			c.write(&message{t: pongMessageType, payload: json.RawMessage{}})
		})
	}

	// If we're running in graphql-transport-ws mode, create a timer that will
	// trigger a ping message every interval and expect a pong!
	if c.conn.Subprotocol() == graphqltransportwsSubprotocol && c.PingPongInterval != 0 {
		if !c.MissingPongOk {
			// Note: when the connection is closed by this deadline, the client
			// will receive an "invalid close code"
			c.setReadDeadline(time.Now().UTC().Add(2 * c.PingPongInterval))
		}
		every(ctx, c.PingPongInterval, c.ping)
	}

	// Close the connection when the context is cancelled.
	// Will optionally send a "close reason" that is retrieved from the context.
	context.AfterFunc(ctx, func() { c.closeOnCancel(ctx) })

	awaiter, _ := c.conn.(WebsocketInputAwaiter)
	if awaiter == nil {
		for c.handleNext() {
		}
		return
	}
	// This goroutine only waits: each message is read and handled on a goroutine of its own
	// (see onOwnStack), so that a pong every ping interval does not leave the stack of
	// thousands of idle connections grown.
	for {
		awaiter.AwaitInput()
		more := false
		onOwnStack(func() { more = c.handleNext() }, rethrow)
		if !more {
			return
		}
	}
}

// handleNext reads the next message and handles it; it reports whether the loop goes on.
func (c *wsConnection) handleNext() bool {
	start := graphql.Now()
	m, err := c.me.NextMessage()
	if err != nil {
		// If the connection got closed by us, don't report the error
		if !errors.Is(err, net.ErrClosed) && !errors.Is(err, ErrWebsocketClosed) {
			c.handlePossibleError(err, true)
		}
		return false
	}

	switch m.t {
	case startMessageType:
		c.subscribe(start, &m)
	case stopMessageType:
		c.mu.Lock()
		closer := c.active[m.id]
		c.mu.Unlock()
		if closer != nil {
			closer()
		}
	case connectionCloseMessageType:
		c.close(WebsocketCloseNormalClosure, "terminated")
		return false
	case pingMessageType:
		c.write(&message{t: pongMessageType, payload: m.payload})
	case pongMessageType:
		c.mu.Lock()
		c.receivedPong = true
		c.mu.Unlock()
		// Clear ReadTimeout -- 0 time val clears.
		c.setReadDeadline(time.Time{})
	default:
		c.sendConnectionError("unexpected message %s", m.t)
		c.close(WebsocketCloseProtocolError, "unexpected message")
		return false
	}
	return true
}

// onOwnStack runs f on a goroutine of its own and waits for it. A goroutine that lives long
// but spends its life parked hands its deep work (decoding, resolving, encoding) to onOwnStack:
// its own stack then never grows past the few frames it waits in, while f's grown stack is
// freed when f's goroutine ends. Go shrinks a parked goroutine's grown stack only by half per
// collection, and never back to the starting size, so each wake-up would otherwise keep
// kilobytes per goroutine until collections caught up. A panic in f is recovered on f's
// goroutine, where recovered sees its stack, and what recovered returns is panicked again on
// the caller's.
func onOwnStack(f func(), recovered func(any) any) {
	done := make(chan any, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- recovered(r)
				return
			}
			done <- nil
		}()
		f()
	}()
	if r := <-done; r != nil {
		panic(r)
	}
}

func rethrow(r any) any { return r }

// recoveredPanic is a subscription's panic already turned into an error by the operation's
// recover function, on the goroutine that panicked.
type recoveredPanic struct{ err error }

func (c *wsConnection) setReadDeadline(t time.Time) {
	if deadliner, ok := c.conn.(WebsocketReadDeadliner); ok {
		_ = deadliner.SetReadDeadline(t)
	}
}

// every calls f every interval, from a timer, until ctx ends.
func every(ctx context.Context, interval time.Duration, f func()) {
	var t *time.Timer
	t = time.AfterFunc(time.Duration(math.MaxInt64), func() {
		if ctx.Err() != nil {
			return
		}
		f()
		t.Reset(interval)
	})
	t.Reset(interval)
	context.AfterFunc(ctx, func() { t.Stop() })
}

func (c *wsConnection) ping() {
	c.write(&message{t: pingMessageType, payload: json.RawMessage{}})
	// The initial deadline for this method is set in run()
	// if we have not yet received a pong, don't reset the deadline.
	c.mu.Lock()
	if !c.MissingPongOk && c.receivedPong {
		c.setReadDeadline(time.Now().UTC().Add(2 * c.PingPongInterval))
	}
	c.receivedPong = false
	c.mu.Unlock()
}

func (c *wsConnection) closeOnCancel(ctx context.Context) {
	if r := closeReasonForContext(ctx); r != "" {
		c.sendConnectionError("%s", r)
	}
	c.close(WebsocketCloseNormalClosure, "terminated")
}

func (c *wsConnection) subscribe(start time.Time, msg *message) {
	ctx := graphql.StartOperationTrace(c.ctx)
	params := &graphql.RawParams{}
	if err := jsonDecode(bytes.NewReader(msg.payload), params); err != nil {
		c.sendError(msg.id, &gqlerror.Error{Message: "invalid json"})
		c.complete(msg.id)
		return
	}

	params.ReadTime = graphql.TraceTiming{
		Start: start,
		End:   graphql.Now(),
	}

	params.Headers = c.headers

	rc, err := c.exec.CreateOperationContext(ctx, params)
	if err != nil {
		resp := c.exec.DispatchError(graphql.WithOperationContext(ctx, rc), err)
		switch errcode.GetErrorKind(err) {
		case errcode.KindProtocol:
			c.sendError(msg.id, resp.Errors...)
		default:
			// As over HTTP: the errors as the error presenter shows them (codes, messages),
			// with the response interceptors' extensions.
			c.sendResponse(msg.id, resp)
		}

		c.complete(msg.id)
		return
	}

	ctx = graphql.WithOperationContext(ctx, rc)

	if c.initPayload != nil {
		ctx = withInitPayload(ctx, c.initPayload)
	}

	ctx, cancel := context.WithCancel(ctx)
	c.mu.Lock()
	c.active[msg.id] = cancel
	c.mu.Unlock()

	// The goroutine keeps the id only, not the message (and its payload, the whole document),
	// for the subscription's life.
	id := msg.id
	go func() {
		ctx = withSubscriptionErrorContext(ctx)
		defer func() {
			if r := recover(); r != nil {
				var err error
				if p, ok := r.(recoveredPanic); ok {
					err = p.err
				} else {
					err = rc.Recover(ctx, r)
				}
				var gqlerr *gqlerror.Error
				if !errors.As(err, &gqlerr) {
					gqlerr = &gqlerror.Error{}
					if err != nil {
						gqlerr.Message = err.Error()
					}
				}
				c.sendError(id, gqlerr)
			}
			if errs := getSubscriptionError(ctx); len(errs) != 0 {
				c.sendError(id, errs...)
			} else if c.ctx.Err() == nil {
				// A cancelled connection context closes the socket; complete would signal a normal end.
				c.complete(id)
			}
			c.mu.Lock()
			delete(c.active, id)
			c.mu.Unlock()
			cancel()
		}()

		recoverCtx := ctx
		recovered := func(r any) any { return recoveredPanic{rc.Recover(recoverCtx, r)} }
		ctx, wait := graphql.WithStreamWait(ctx)
		var responses graphql.ResponseHandler
		onOwnStack(func() { responses, ctx = c.exec.DispatchOperation(ctx, rc) }, recovered)
		if !wait.Registered() {
			// The stream blocks inside responses: this goroutine waits there.
			for {
				response := responses(ctx)
				if response == nil {
					break
				}
				c.sendResponse(id, response)
			}
			return
		}
		// This goroutine only waits for the next event, which is resolved and sent on a
		// goroutine of its own (see onOwnStack).
		for {
			wait.Wait(ctx)
			more := false
			onOwnStack(func() {
				if response := responses(ctx); response != nil {
					c.sendResponse(id, response)
					more = true
				}
			}, recovered)
			if !more {
				break
			}
		}

		// complete and context cancel comes from the defer
	}()
}

func (c *wsConnection) sendResponse(id string, response *graphql.Response) {
	b, err := json.Marshal(response)
	if err != nil {
		panic(err)
	}
	c.write(&message{
		payload: b,
		id:      id,
		t:       dataMessageType,
	})
}

func (c *wsConnection) complete(id string) {
	c.write(&message{id: id, t: completeMessageType})
}

func (c *wsConnection) sendError(id string, errors ...*gqlerror.Error) {
	errs := make([]error, len(errors))
	for i, err := range errors {
		errs[i] = err
	}
	b, err := json.Marshal(errs)
	if err != nil {
		panic(err)
	}
	c.write(&message{t: errorMessageType, id: id, payload: b})
}

func (c *wsConnection) sendConnectionError(format string, args ...any) {
	b, err := json.Marshal(&gqlerror.Error{Message: fmt.Sprintf(format, args...)})
	if err != nil {
		panic(err)
	}

	c.write(&message{t: connectionErrorMessageType, payload: b})
}

func (c *wsConnection) close(closeCode int, message string) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	_ = c.conn.WriteClose(closeCode, message)
	for _, closer := range c.active {
		closer()
	}
	c.closed = true
	c.mu.Unlock()
	_ = c.conn.Close()

	if c.CloseFunc != nil {
		c.CloseFunc(c.ctx, closeCode)
	}
}
