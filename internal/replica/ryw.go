package replica

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Marks remembers which users wrote recently, so their next reads go to the primary and they
// read their own writes even while replicas lag.
type Marks interface {
	// Mark records that key wrote now, for window.
	Mark(ctx context.Context, key string, window time.Duration) error
	// Recent reports whether key wrote within the window of its last Mark.
	Recent(ctx context.Context, key string) (bool, error)
}

// state is one request's routing state.
type state struct {
	key    string      // the user, or "" for anonymous requests
	pinned atomic.Bool // read from the primary: this request or its user wrote recently
	// replicaRead is set once a read went to a replica, broken once such a read's connection
	// broke after the rows were handed back (NoteError).
	replicaRead, broken atomic.Bool
	stats               *counters // the Router's, for counting re-run operations
}

type ctxKey struct{}

func stateFrom(ctx context.Context) *state {
	st, _ := ctx.Value(ctxKey{}).(*state)
	return st
}

// WithPrimary returns a context whose reads go to the primary, for the rare read that must not
// be stale, e.g. finding a user who registered a moment ago on another process.
func WithPrimary(ctx context.Context) context.Context {
	st := &state{key: ""}
	if prev := stateFrom(ctx); prev != nil {
		st.key, st.stats = prev.key, prev.stats
	}
	st.pinned.Store(true)
	return context.WithValue(ctx, ctxKey{}, st)
}

// mustUsePrimary reports whether the request behind ctx must read its own writes.
func (r *Router) mustUsePrimary(ctx context.Context) bool {
	st := stateFrom(ctx)
	return st != nil && st.pinned.Load()
}

// wrote pins the rest of the request to the primary and marks its user for the window.
func (r *Router) wrote(ctx context.Context) {
	st := stateFrom(ctx)
	if st == nil {
		return
	}
	st.pinned.Store(true)
	if st.key == "" {
		return
	}
	// The write has happened: record it even if the client has gone away meanwhile.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := r.opts.Marks.Mark(ctx, st.key, r.opts.Window); err != nil {
		r.stats.markErrors.Add(1)
		r.opts.Log.Warn("cannot record a write for read-your-writes; the user may briefly read stale data", "err", err)
	}
}

// Middleware gives each request its routing state. key names the request's user ("" for
// anonymous requests, which are never pinned across requests); put it after authentication.
func (r *Router) Middleware(key func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			st := &state{key: key(req), stats: &r.stats}
			if st.key != "" {
				recent, err := r.opts.Marks.Recent(req.Context(), st.key)
				if err != nil {
					// Without the marker, the primary is the only answer that is surely fresh.
					r.stats.markErrors.Add(1)
					r.opts.Log.Warn("cannot read read-your-writes marker; reading from the primary", "err", err)
					recent = true
				}
				st.pinned.Store(recent)
			}
			next.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), ctxKey{}, st)))
		})
	}
}

// MemoryMarks keeps marks in this process: enough for one Vitrine process, or for several
// behind a load balancer with sticky sessions.
type MemoryMarks struct {
	mu      sync.Mutex
	until   map[string]time.Time
	nMarked int
}

// NewMemoryMarks returns empty in-process marks.
func NewMemoryMarks() *MemoryMarks { return &MemoryMarks{until: map[string]time.Time{}} }

// Mark records key until now+window.
func (m *MemoryMarks) Mark(_ context.Context, key string, window time.Duration) error {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.until[key] = now.Add(window)
	// Expired marks are dropped now and then, so the map stays as small as the active writers.
	if m.nMarked++; m.nMarked%1024 == 0 {
		for k, t := range m.until {
			if now.After(t) {
				delete(m.until, k)
			}
		}
	}
	return nil
}

// Recent reports whether key's mark has not expired.
func (m *MemoryMarks) Recent(_ context.Context, key string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.until[key]
	return ok && time.Now().Before(t), nil
}

// RedisMarks keeps marks in Redis, shared by every Vitrine process behind a load balancer;
// Redis expires them.
type RedisMarks struct {
	client redis.UniversalClient
	prefix string
}

// NewRedisMarks stores marks in client under keys starting with prefix.
func NewRedisMarks(client redis.UniversalClient, prefix string) *RedisMarks {
	return &RedisMarks{client: client, prefix: prefix}
}

// Mark sets the key with the window as its expiry.
func (m *RedisMarks) Mark(ctx context.Context, key string, window time.Duration) error {
	return m.client.Set(ctx, m.prefix+key, 1, window).Err()
}

// Close closes the Redis client.
func (m *RedisMarks) Close() error { return m.client.Close() }

// Recent reports whether the key still exists.
func (m *RedisMarks) Recent(ctx context.Context, key string) (bool, error) {
	n, err := m.client.Exists(ctx, m.prefix+key).Result()
	return n > 0, err
}
