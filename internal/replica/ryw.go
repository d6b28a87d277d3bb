package replica

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vitrinehq/vitrine/internal/redisconn"
)

// Marks remembers each user's last write as a WAL position of the primary (see lsn.go), so
// that their reads go to a replica only once it has replayed that far: a user reads their own
// writes however far a replica lags.
type Marks interface {
	// Mark records that key wrote up to position, for ttl. When marks of one key cross (two
	// requests of one user), the later position stays.
	Mark(ctx context.Context, key string, position LSN, ttl time.Duration) error
	// Position returns the position of key's unexpired mark, or 0 if it has none.
	Position(ctx context.Context, key string) (LSN, error)
}

// state is one request's routing state.
type state struct {
	key    string      // the user, or "" for anonymous requests
	pinned atomic.Bool // read from the primary: this request wrote, or must not be stale
	// position is the user's last write, from Marks: only a replica that replayed it may answer.
	position LSN
	// replicaRead is set once a read went to a replica, broken once such a read's connection
	// broke after the rows were handed back (NoteError).
	replicaRead, broken atomic.Bool
	stats               *counters // the Router's, for counting re-run operations
}

// mustSee returns the WAL position a replica must have replayed to answer st's request.
func (st *state) mustSee() LSN {
	if st == nil {
		return 0
	}
	return st.position
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

// unknownPosition marks a write whose position could not be read: no replica reaches it, so
// the user reads from the primary until the mark expires.
const unknownPosition = LSN(math.MaxUint64)

// wrote pins the rest of the request to the primary and marks its user with the primary's
// WAL position after the write, which covers it (one cheap query on the primary).
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
	position, err := r.position(ctx)
	if err != nil {
		position = unknownPosition
		r.opts.Log.Warn("cannot read the primary's WAL position after a write; the user reads from the primary for a while", "err", err)
	}
	if err := r.opts.Marks.Mark(ctx, st.key, position, r.markTTL()); err != nil {
		r.stats.markErrors.Add(1)
		r.markError("cannot record a write for read-your-writes; the user may read stale data", err)
	}
}

// markError logs a failure of the marks' store. While Redis's circuit breaker is open every
// signed-in request fails this way, and the outage was logged once, at WARN, when it began: the
// requests that only meet it are logged at DEBUG, so the log is not flooded.
func (r *Router) markError(msg string, err error) {
	level := slog.LevelWarn
	if errors.Is(err, redisconn.ErrUnavailable) {
		level = slog.LevelDebug
	}
	r.opts.Log.Log(context.Background(), level, msg, "err", err)
}

// markTTL is how long a mark lives: past it, every replica in the rotation has replayed the
// write anyway. A replica in the rotation at time T passed a check round that began at most
// CheckInterval + 4×checkTimeout before T (a round, the primary's sample then the probes, takes
// at most 2×checkTimeout, and the next starts at most CheckInterval after one ends), and then
// held every commit older than MaxLag before that round began.
func (r *Router) markTTL() time.Duration {
	return r.opts.MaxLag + r.opts.CheckInterval + 4*r.checkTimeout()
}

// Middleware gives each request its routing state. key names the request's user ("" for
// anonymous requests, which are never pinned across requests); put it after authentication.
func (r *Router) Middleware(key func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			st := &state{key: key(req), stats: &r.stats}
			if st.key != "" {
				position, err := r.opts.Marks.Position(req.Context(), st.key)
				if err != nil {
					// Without the mark, the primary is the only answer that is surely fresh.
					r.stats.markErrors.Add(1)
					r.markError("cannot read read-your-writes marker; reading from the primary", err)
					st.pinned.Store(true)
				}
				st.position = position
			}
			next.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), ctxKey{}, st)))
		})
	}
}

// MemoryMarks keeps marks in this process: enough for one Vitrine process, or for several
// behind a load balancer with sticky sessions.
type MemoryMarks struct {
	mu      sync.Mutex
	marks   map[string]memoryMark
	nMarked int
}

type memoryMark struct {
	position LSN
	until    time.Time
}

// NewMemoryMarks returns empty in-process marks.
func NewMemoryMarks() *MemoryMarks { return &MemoryMarks{marks: map[string]memoryMark{}} }

// Mark records key at position (or its later recorded one) until now+ttl.
func (m *MemoryMarks) Mark(_ context.Context, key string, position LSN, ttl time.Duration) error {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.marks[key]; ok && now.Before(old.until) {
		position = max(position, old.position)
	}
	m.marks[key] = memoryMark{position: position, until: now.Add(ttl)}
	// Expired marks are dropped now and then, so the map stays as small as the active writers.
	if m.nMarked++; m.nMarked%1024 == 0 {
		for k, mk := range m.marks {
			if now.After(mk.until) {
				delete(m.marks, k)
			}
		}
	}
	return nil
}

// Position returns key's position if its mark has not expired.
func (m *MemoryMarks) Position(_ context.Context, key string) (LSN, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if mk, ok := m.marks[key]; ok && time.Now().Before(mk.until) {
		return mk.position, nil
	}
	return 0, nil
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

// markScript sets the key to ARGV[1] unless it holds a later position, and (re)sets its expiry
// to ARGV[2] milliseconds. Positions are 16 hex digits, so strings compare like numbers.
var markScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if (not cur) or ARGV[1] > cur then
	redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`)

// Mark records the position with ttl as its expiry, keeping a later one already there.
func (m *RedisMarks) Mark(ctx context.Context, key string, position LSN, ttl time.Duration) error {
	return markScript.Run(ctx, m.client, []string{m.prefix + key}, fmt.Sprintf("%016x", uint64(position)), ttl.Milliseconds()).Err()
}

// Close closes the Redis client.
func (m *RedisMarks) Close() error { return m.client.Close() }

// Position reads the key's position, 0 if it has expired.
func (m *RedisMarks) Position(ctx context.Context, key string) (LSN, error) {
	v, err := m.client.Get(ctx, m.prefix+key).Result()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(v, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("read-your-writes mark %q: %w", v, err)
	}
	return LSN(n), nil
}
