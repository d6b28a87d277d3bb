package config

import (
	"errors"
	"flag"
	"time"
)

// Live configures GraphQL subscriptions (internal/live).
type Live struct {
	// AggregateInterval is the least time between two events of one aggregate subscription.
	AggregateInterval time.Duration
	// MaxSubscriptions caps the subscriptions of one WebSocket connection.
	MaxSubscriptions int
	// InitTimeout bounds the wait for a new connection's connection_init message.
	InitTimeout time.Duration
	// PingInterval is how often the server pings each connection; two unanswered intervals end it.
	PingInterval time.Duration
	// WriteTimeout bounds one message's write; a client that stops reading is then cut off.
	WriteTimeout time.Duration
	// Buffer is the events a subscriber may hold undelivered before its connection is closed.
	Buffer int
	// MaxConnections caps this process's WebSocket connections and event streams (0: no cap).
	MaxConnections int
	// MaxConnectionsPerIP caps one client IP's WebSocket connections and event streams (0: no
	// cap).
	MaxConnectionsPerIP int
	// SSE also serves subscriptions as Server-Sent Events; the connection caps count its
	// streams with the WebSockets.
	SSE bool

	sse string // as given, parsed by validate
}

func (c *Live) flags(fs *flag.FlagSet, e *envReader) {
	fs.DurationVar(&c.AggregateInterval, "live-aggregate-interval", e.duration("VITRINE_LIVE_AGGREGATE_INTERVAL", time.Second), "least time between two events of one ratingStatsChanged or ratingSummaryChanged subscription: a burst of ratings is one event (VITRINE_LIVE_AGGREGATE_INTERVAL)")
	fs.IntVar(&c.MaxSubscriptions, "ws-max-subscriptions", e.int("VITRINE_WS_MAX_SUBSCRIPTIONS", 50), "subscriptions one WebSocket connection may run at once (VITRINE_WS_MAX_SUBSCRIPTIONS)")
	fs.DurationVar(&c.InitTimeout, "ws-init-timeout", e.duration("VITRINE_WS_INIT_TIMEOUT", 10*time.Second), "how long a new WebSocket connection may take to send connection_init (VITRINE_WS_INIT_TIMEOUT)")
	fs.DurationVar(&c.PingInterval, "ws-ping-interval", e.duration("VITRINE_WS_PING_INTERVAL", 25*time.Second), "how often the server pings WebSocket clients (no pong within two intervals closes the connection) and sends a keepalive comment on idle Server-Sent Events streams (VITRINE_WS_PING_INTERVAL)")
	fs.DurationVar(&c.WriteTimeout, "ws-write-timeout", e.duration("VITRINE_WS_WRITE_TIMEOUT", 10*time.Second), "how long one WebSocket message or Server-Sent Event may take to write before the client is cut off as stalled (VITRINE_WS_WRITE_TIMEOUT)")
	fs.IntVar(&c.MaxConnections, "ws-max-connections", e.int("VITRINE_WS_MAX_CONNECTIONS", 20000), "WebSocket connections and Server-Sent Events streams this process holds at once; more get 503 (0: no cap) (VITRINE_WS_MAX_CONNECTIONS)")
	fs.IntVar(&c.MaxConnectionsPerIP, "ws-max-connections-per-ip", e.int("VITRINE_WS_MAX_CONNECTIONS_PER_IP", 20), "WebSocket connections and Server-Sent Events streams one client IP holds at once (after VITRINE_TRUSTED_PROXIES); more get 429 (0: no cap) (VITRINE_WS_MAX_CONNECTIONS_PER_IP)")
	fs.StringVar(&c.sse, "sse", e.str("VITRINE_SSE", "true"), "also serve subscriptions as Server-Sent Events (POST /graphql with Accept: text/event-stream), for clients that cannot open WebSockets; each stream counts as a connection against the VITRINE_WS_MAX_CONNECTIONS caps (VITRINE_SSE)")
	fs.IntVar(&c.Buffer, "live-buffer", e.int("VITRINE_LIVE_BUFFER", 64), "events a subscriber may hold undelivered before its connection is closed as a slow consumer (VITRINE_LIVE_BUFFER)")
}

func (c *Live) validate() error {
	var err error
	if c.SSE, err = boolOr("VITRINE_SSE", c.sse, true); err != nil {
		return err
	}
	if c.AggregateInterval < 10*time.Millisecond {
		return errors.New("VITRINE_LIVE_AGGREGATE_INTERVAL must be at least 10ms")
	}
	if c.MaxConnections < 0 || c.MaxConnectionsPerIP < 0 {
		return errors.New("VITRINE_WS_MAX_CONNECTIONS and VITRINE_WS_MAX_CONNECTIONS_PER_IP must be 0 (no cap) or positive")
	}
	if c.MaxSubscriptions < 1 || c.Buffer < 1 {
		return errors.New("VITRINE_WS_MAX_SUBSCRIPTIONS and VITRINE_LIVE_BUFFER must be at least 1")
	}
	if c.InitTimeout <= 0 || c.PingInterval <= 0 || c.WriteTimeout <= 0 {
		return errors.New("VITRINE_WS_INIT_TIMEOUT, VITRINE_WS_PING_INTERVAL and VITRINE_WS_WRITE_TIMEOUT must be positive")
	}
	return nil
}
