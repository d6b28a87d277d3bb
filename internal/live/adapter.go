package live

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	coderws "github.com/coder/websocket"

	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// acceptor upgrades with coder/websocket, checking the Origin against the allow-list.
type acceptor struct{ w *Websocket }

func (a acceptor) Accept(rw http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	ws, err := coderws.Accept(rw, r, &coderws.AcceptOptions{
		Subprotocols:   opts.Subprotocols,
		OriginPatterns: originHosts(a.w.Origins),
	})
	if err != nil {
		return nil, err
	}
	c := &wsConn{c: ws, writeTimeout: a.w.WriteTimeout}
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
	return int(typ), strings.NewReader(string(data)), nil
}

func (c *wsConn) WriteJSON(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if c.writeTimeout > 0 {
		// coder/websocket closes the connection when a write outlives its context: a client
		// that stopped reading is cut here instead of holding a goroutine and its buffers.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.writeTimeout)
		defer cancel()
	}
	return c.c.Write(ctx, coderws.MessageText, data)
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
