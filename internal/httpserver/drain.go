package httpserver

import (
	"context"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5/middleware"
)

// CloseWhileDraining asks every client answered while draining reports true to close its
// connection ("Connection: close", which net/http honours by closing after the response).
// Closing idle keep-alive connections from the server side instead races with requests the
// clients are already sending on them: those arrive at a closed socket, and clients do not
// retry a POST. This way a connection only closes right after a response, when the client
// knows nothing is pending on it.
func CloseWhileDraining(draining func() bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if draining() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}

// Inflight keeps the requests being served, so that a shutdown which runs out of time can
// log the ones it cuts. The zero value is not usable; call NewInflight.
type Inflight struct {
	mu   sync.Mutex
	reqs map[*inflightEntry]struct{}
}

type inflightEntry struct {
	method, path string
	start        time.Time
	id           atomic.Pointer[string]
}

type inflightKey struct{}

// NewInflight returns an empty tracker.
func NewInflight() *Inflight { return &Inflight{reqs: map[*inflightEntry]struct{}{}} }

// Track records each request while next serves it; it belongs outermost.
func (t *Inflight) Track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := &inflightEntry{method: r.Method, path: r.URL.Path, start: time.Now()}
		t.mu.Lock()
		t.reqs[e] = struct{}{}
		t.mu.Unlock()
		defer func() {
			t.mu.Lock()
			delete(t.reqs, e)
			t.mu.Unlock()
		}()
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), inflightKey{}, e)))
	})
}

// Identify records the request ID (set by the router's request ID middleware, so Identify
// goes inside it) of the request Track recorded.
func Identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e, ok := r.Context().Value(inflightKey{}).(*inflightEntry); ok {
			id := middleware.GetReqID(r.Context())
			e.id.Store(&id)
		}
		next.ServeHTTP(w, r)
	})
}

// LogAbandoned logs, at error level, each request still being served, oldest first, and
// returns how many there were. Call it when the shutdown deadline has passed, before cutting
// them.
func (t *Inflight) LogAbandoned(log *slog.Logger) int {
	t.mu.Lock()
	entries := make([]*inflightEntry, 0, len(t.reqs))
	for e := range t.reqs {
		entries = append(entries, e)
	}
	t.mu.Unlock()
	sort.Slice(entries, func(i, j int) bool { return entries[i].start.Before(entries[j].start) })
	for _, e := range entries {
		attrs := []any{"method", e.method, "path", e.path, "running", time.Since(e.start).Round(time.Millisecond).String()}
		if id := e.id.Load(); id != nil && *id != "" {
			attrs = append(attrs, "request_id", *id)
		}
		log.Error("request abandoned at shutdown", attrs...)
	}
	return len(entries)
}
