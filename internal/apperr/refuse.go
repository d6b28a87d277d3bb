package apperr

import (
	"encoding/json"
	"net/http"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/vitrinehq/vitrine/internal/reqlog"
)

// Refuse answers a request refused outside GraphQL's error presenter (a transport limit, a
// rate limit, a panic) with a GraphQL-shaped error like the presenter's: one error with its
// code and the request ID, never cached. It records the code for the access log and the
// metrics. extensions, when not nil, is the response's top-level extensions object.
func Refuse(w http.ResponseWriter, r *http.Request, status int, code, msg string, extensions map[string]any) {
	reqlog.AddCode(r.Context(), code)
	ext := map[string]any{"code": code}
	if id := middleware.GetReqID(r.Context()); id != "" {
		ext["requestId"] = id
	}
	resp := map[string]any{"errors": []map[string]any{{"message": msg, "extensions": ext}}}
	if extensions != nil {
		resp["extensions"] = extensions
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(resp)
}
