package persisted

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// DocumentIDs accepts the GraphQL-over-HTTP persisted documents form, a top-level
// `documentId: "sha256:<hex>"` (POST body or GET parameter), by rewriting it into the APQ
// extension that gqlgen's transports and this package's stores understand. A request that
// also carries extensions is left alone.
func DocumentIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			q := r.URL.Query()
			if id := q.Get("documentId"); id != "" && q.Get("extensions") == "" {
				ext, _ := json.Marshal(apqExtension(id))
				q.Set("extensions", string(ext))
				q.Del("documentId")
				r = r.Clone(r.Context())
				r.URL.RawQuery = q.Encode()
			}
		case http.MethodPost:
			body, err := io.ReadAll(r.Body)
			if err != nil {
				// Let the transport report the unreadable body.
				r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
				break
			}
			r.Body = io.NopCloser(bytes.NewReader(rewriteBody(body)))
		}
		next.ServeHTTP(w, r)
	})
}

// rewriteBody moves documentId into extensions; anything it cannot read is passed on as is,
// for the transport to report.
func rewriteBody(body []byte) []byte {
	if !bytes.Contains(body, []byte(`"documentId"`)) {
		return body
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return body
	}
	var id string
	if json.Unmarshal(fields["documentId"], &id) != nil || id == "" || fields["extensions"] != nil {
		return body
	}
	ext, _ := json.Marshal(apqExtension(id))
	fields["extensions"] = ext
	delete(fields, "documentId")
	out, err := json.Marshal(fields)
	if err != nil {
		return body
	}
	return out
}

func apqExtension(id string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": strings.TrimPrefix(id, "sha256:")}}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
