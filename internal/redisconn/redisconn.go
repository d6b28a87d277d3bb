// Package redisconn opens the one Redis client a Vitrine process shares (persisted queries,
// rate-limit buckets, read-your-writes marks). Redis is an optimisation there, so Redis trouble
// must cost a request milliseconds, not seconds: every command gets a short deadline, no
// command or dial is retried, and a circuit breaker fails commands at once while Redis is
// down or frozen, so that callers take their in-process fallback straight away.
package redisconn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// ErrUnavailable is returned, without contacting Redis, while the circuit breaker is open.
var ErrUnavailable = errors.New("redis unavailable (circuit open)")

// Options tune the client; zero values take the defaults.
type Options struct {
	// Timeout bounds each command: the dial, the wait for a pooled connection, the write and
	// the read (default 100 ms; Redis answers in well under a millisecond on a LAN).
	Timeout time.Duration
	// Failures is how many failures in a row open the breaker (default 3).
	Failures uint32
	// Cooldown is how long the breaker stays open before one probe command may try Redis
	// again (default 5 s).
	Cooldown time.Duration
	// Log receives the breaker's state changes; nil logs nowhere.
	Log *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 100 * time.Millisecond
	}
	if o.Failures == 0 {
		o.Failures = 3
	}
	if o.Cooldown <= 0 {
		o.Cooldown = 5 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// New returns a client for the redis:// or rediss:// URL with short deadlines, no retries and
// a circuit breaker. It does not contact Redis.
func New(rawURL string, opts Options) (*redis.Client, error) {
	opts = opts.withDefaults()
	ro, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	ro.MaxRetries = -1
	ro.DialerRetries = 1
	ro.DialTimeout = opts.Timeout
	ro.ReadTimeout = opts.Timeout
	ro.WriteTimeout = opts.Timeout
	ro.PoolTimeout = opts.Timeout
	ro.ContextTimeoutEnabled = true
	c := redis.NewClient(ro)
	c.AddHook(newBreaker(opts))
	return c, nil
}

// Open is New followed by a ping, so that a wrong URL fails at start.
func Open(ctx context.Context, rawURL string, opts Options) (*redis.Client, error) {
	c, err := New(rawURL, opts)
	if err != nil {
		return nil, err
	}
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("redis does not answer: %w", err)
	}
	return c, nil
}

// breaker is a go-redis hook that runs every command under the command timeout and through a
// circuit breaker.
type breaker struct {
	cb      *gobreaker.CircuitBreaker[struct{}]
	timeout time.Duration
}

func newBreaker(opts Options) *breaker {
	return &breaker{timeout: opts.Timeout, cb: gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:    "redis",
		Timeout: opts.Cooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.ConsecutiveFailures >= opts.Failures
		},
		// A reply, even an error reply or a missing key, means Redis answers.
		IsSuccessful: func(err error) bool {
			var reply redis.Error
			return err == nil || errors.As(err, &reply)
		},
		// The caller went away: that says nothing about Redis.
		IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			switch {
			case to == gobreaker.StateOpen && from == gobreaker.StateClosed:
				opts.Log.Warn("redis unavailable: using in-process fallbacks", "retry_every", opts.Cooldown.String())
			case to == gobreaker.StateOpen:
				// A failed probe every cooldown: once per outage is enough at WARN.
				opts.Log.Debug("redis still unavailable")
			case to == gobreaker.StateClosed:
				opts.Log.Info("redis available again")
			}
		},
	})}
}

func (b *breaker) DialHook(next redis.DialHook) redis.DialHook { return next }

func (b *breaker) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		return b.run(ctx, func(ctx context.Context) error { return next(ctx, cmd) })
	}
}

func (b *breaker) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		return b.run(ctx, func(ctx context.Context) error { return next(ctx, cmds) })
	}
}

// inside marks a context already running under the breaker: go-redis sends a new
// connection's handshake commands (HELLO, SELECT) through the same hooks, and a half-open
// breaker admitting one command would refuse its own probe's handshake.
type inside struct{}

func (b *breaker) run(ctx context.Context, do func(context.Context) error) error {
	if ctx.Value(inside{}) != nil {
		return do(ctx)
	}
	_, err := b.cb.Execute(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.WithValue(ctx, inside{}, true), b.timeout)
		defer cancel()
		return struct{}{}, do(ctx)
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return ErrUnavailable
	}
	return err
}

// Logger adapts log for redis.SetLogger, which is process-wide: go-redis otherwise prints its
// own lines (a failed dial on every probe) to standard error, outside the structured log. Its
// messages go to DEBUG: the breaker already reports outages.
func Logger(log *slog.Logger) interface {
	Printf(ctx context.Context, format string, v ...any)
} {
	return logger{log}
}

type logger struct{ log *slog.Logger }

func (l logger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "go-redis: "+fmt.Sprintf(format, v...))
}
