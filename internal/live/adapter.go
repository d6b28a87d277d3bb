package live

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"syscall"
	"time"

	coderws "github.com/coder/websocket"

	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// acceptor upgrades with coder/websocket, checking the Origin against the allow-list.
type acceptor struct{ w *Websocket }

func (a acceptor) Accept(rw http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	hj := &smallBuffers{ResponseWriter: rw}
	ws, err := coderws.Accept(hj, r, &coderws.AcceptOptions{
		Subprotocols:   opts.Subprotocols,
		OriginPatterns: originHosts(a.w.Origins),
	})
	if err != nil {
		return nil, err
	}
	// gqlgen keeps the upgrade request's headers for the connection's life and hands them to
	// each of its operations (OperationContext.Headers), where only Authorization is read (an
	// authenticated query is not cached). The rest — the upgrade's own headers, cookies, the
	// user agent — is a kilobyte or more per idle connection. r is this connection's own copy
	// of the request (Websocket.Handler made it).
	r.Header = operationHeaders(r.Header)
	c := &wsConn{c: ws, writeTimeout: a.w.WriteTimeout, br: hj.br, conn: hj.conn}
	if sc, ok := hj.conn.Conn.(syscall.Conn); ok {
		c.raw, _ = sc.SyscallConn()
	}
	if conn := ConnFromContext(r.Context()); conn != nil {
		conn.mu.Lock()
		conn.ws = c
		closed := conn.closed
		conn.mu.Unlock()
		if closed {
			_ = ws.CloseNow()
		}
	}
	return c, nil
}

// operationHeaders is what of an upgrade request's headers its connection's operations see.
func operationHeaders(h http.Header) http.Header {
	out := http.Header{}
	if v := h.Values("Authorization"); len(v) > 0 {
		out["Authorization"] = slices.Clone(v)
	}
	return out
}

// A WebSocket connection's read and write buffers. net/http hands a hijacked connection 4 kB
// buffers each way, held for the connection's whole life, and with thousands of idle
// connections they were most of their memory. A client sends little (connection_init,
// subscribe, complete, pong): a larger message only takes a few more reads. The server's
// messages are events (about 100 bytes for an aggregate's) and pings; one larger than the write
// buffer goes out in two writes instead of one (and one larger still bypasses the buffer).
const (
	readBufferSize  = 256
	writeBufferSize = 512
)

// smallBuffers hijacks the connection with small buffers instead of net/http's, and keeps the
// connection and its reader.
type smallBuffers struct {
	http.ResponseWriter
	conn *pendingConn
	br   *bufio.Reader
}

func (w *smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Flush(); err != nil {
		return nil, nil, err
	}
	// Bytes the client sent right after its upgrade request (graphql-ws clients send
	// connection_init at once) are already in net/http's reader: the connection reads them first.
	pending, _ := brw.Reader.Peek(brw.Reader.Buffered())
	w.conn = &pendingConn{Conn: conn, pending: bytes.Clone(pending)}
	w.br = bufio.NewReaderSize(w.conn, readBufferSize)
	return w.conn, bufio.NewReadWriter(w.br, bufio.NewWriterSize(conn, writeBufferSize)), nil
}

// pendingConn is a connection that first reads bytes already received from it. Only the
// connection's reader uses pending.
type pendingConn struct {
	net.Conn
	pending []byte
}

func (c *pendingConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

func (w *smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// originHosts turns CORS origins ("https://shop.example") into coder/websocket's host patterns.
func originHosts(origins []string) []string {
	out := make([]string, 0, len(origins))
	for _, o := range origins {
		if o == "*" {
			out = append(out, "*")
			continue
		}
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			out = append(out, u.Host)
		}
	}
	return out
}

// wsConn adapts a coder/websocket connection to gqlgen's transport, with a bounded write.
type wsConn struct {
	c            *coderws.Conn
	writeTimeout time.Duration
	// br is the connection's read buffer and raw its socket (nil if it has none, e.g. TLS),
	// for AwaitInput.
	br   *bufio.Reader
	conn *pendingConn
	raw  syscall.RawConn

	mu       sync.Mutex
	closing  bool
	deadline *time.Timer
}

func (c *wsConn) NextReader() (int, io.Reader, error) {
	typ, data, err := c.c.Read(context.Background())
	if err != nil {
		switch coderws.CloseStatus(err) {
		case coderws.StatusNormalClosure, coderws.StatusNoStatusRcvd, coderws.StatusGoingAway:
			return int(typ), nil, transport.ErrWebsocketClosed
		}
		return int(typ), nil, err
	}
	return int(typ), bytes.NewReader(data), nil
}

// AwaitInput returns once the client has sent something (or the connection failed); gqlgen's
// connection loop calls it between messages. An idle connection's goroutine then waits a few
// frames deep rather than at the bottom of the message decoder and coder/websocket's reader,
// and Go shrinks the stack it no longer uses: kilobytes per idle connection. Bytes already
// buffered, or already in the socket, return at once.
func (c *wsConn) AwaitInput() {
	if c.raw == nil || c.br == nil || c.br.Buffered() > 0 || c.conn == nil || len(c.conn.pending) > 0 {
		return
	}
	_ = c.raw.Read(readable)
}

func (c *wsConn) WriteJSON(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if c.writeTimeout <= 0 {
		return c.c.Write(context.Background(), coderws.MessageText, data)
	}
	// A client that stopped reading is cut here instead of holding a goroutine and its buffers.
	// The socket's write deadline bounds the write, rather than a context with a timeout, which
	// coder/websocket would also watch with a context.AfterFunc: those were about 700 bytes of
	// garbage per message, so per ping on every idle connection.
	_ = c.conn.SetWriteDeadline(time.Now().Add(c.writeTimeout))
	err = c.c.Write(context.Background(), coderws.MessageText, data)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// As coder/websocket does when a write outlives its context.
		_ = c.c.CloseNow()
		return err
	}
	_ = c.conn.SetWriteDeadline(time.Time{})
	return err
}

func (c *wsConn) WriteClose(code int, reason string) error {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return nil
	}
	c.closing = true
	c.mu.Unlock()
	go func() {
		// Close waits for the peer's answer (at most 5 s); a dead peer is then cut.
		_ = c.c.Close(coderws.StatusCode(code), reason)
		_ = c.c.CloseNow()
	}()
	return nil
}

func (c *wsConn) Close() error {
	c.mu.Lock()
	closing := c.closing
	if c.deadline != nil {
		c.deadline.Stop()
	}
	c.mu.Unlock()
	if closing {
		return nil // the close handshake started by WriteClose finishes the connection
	}
	return c.c.CloseNow()
}

func (c *wsConn) Subprotocol() string { return c.c.Subprotocol() }

func (c *wsConn) SetReadLimit(n int64) { c.c.SetReadLimit(n) }

func (c *wsConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deadline != nil {
		c.deadline.Stop()
		c.deadline = nil
	}
	if t.IsZero() {
		return nil
	}
	c.deadline = time.AfterFunc(time.Until(t), func() { _ = c.c.CloseNow() })
	return nil
}
