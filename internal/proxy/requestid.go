package proxy

import (
	"net/http"
	"net/netip"

	"github.com/go-chi/chi/v5/middleware"
)

// RequestIDHeader is read from trusted proxies and set on every response.
const RequestIDHeader = "X-Request-ID"

// MaxRequestIDLength bounds an accepted ID; nginx's $request_id is 32 characters, a UUID 36.
const MaxRequestIDLength = 128

// RequestIDs gives every request an ID that the logs, error extensions and the response's
// X-Request-ID header share. The ID a trusted proxy sends is kept, so one ID follows a request
// from the load balancer's log to Vitrine's; anyone else's is replaced: a client must not
// choose the ID its requests are logged under, or make it collide with another request's.
// The ID is stored where chi's middleware.GetReqID finds it (the error presenter, the access
// log and reqlog's handler read it there). trusted are the proxies whose X-Request-ID is
// believed.
func RequestIDs(trusted []netip.Prefix) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		withID := middleware.RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(RequestIDHeader, middleware.GetReqID(r.Context()))
			next.ServeHTTP(w, r)
		}))
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// chi's middleware keeps any incoming header; drop the ones not to be believed, so
			// it generates a fresh ID instead.
			if id := r.Header.Get(RequestIDHeader); id != "" && (!validRequestID(id) || !TrustedPeer(r, trusted)) {
				r.Header.Del(RequestIDHeader)
			}
			withID.ServeHTTP(w, r)
		})
	}
}

// validRequestID accepts the IDs proxies generate (hex, UUIDs, base64url, dotted or slashed
// prefixes) and nothing that could confuse a log reader.
func validRequestID(id string) bool {
	if len(id) > MaxRequestIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '+' || c == '=':
		default:
			return false
		}
	}
	return true
}
