package httpserver

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/vitrinehq/vitrine/internal/apperr"
)

// Recoverer turns a panic outside the GraphQL executor (which recovers its resolvers' panics
// itself, graph.Recover) into a 500 with a GraphQL-shaped INTERNAL_SERVER_ERROR carrying the
// request ID, and logs the stack through log, under the same request ID. chi's Recoverer
// would print the stack to stderr, outside the structured log, and answer an empty body.
func Recoverer(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				p := recover()
				if p == nil {
					return
				}
				if p == http.ErrAbortHandler {
					panic(p) // net/http's way of aborting a response on purpose
				}
				log.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				apperr.Refuse(w, r, http.StatusInternalServerError, string(apperr.Internal), "internal error", nil)
			}()
			next.ServeHTTP(w, r)
		})
	}
}
