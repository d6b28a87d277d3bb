package limits

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/reqlog"
)

// Guard answers the requests that gqlgen's transports would answer vaguely, before they reach
// them: a body over MaxBodyBytes gets 413, a POST that is not application/json 415, a batch
// (a JSON array of operations, which Vitrine does not serve) 400, and any method but GET, POST
// and OPTIONS 405; each with a GraphQL-shaped JSON body. Every request gets the deadline
// RequestTimeout (0: none), which reaches SQL through the context. GET and POST responses
// follow what Extension learns about the request (see protocol.go).
func (l Limits) Guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if l.RequestTimeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, l.RequestTimeout)
			defer cancel()
		}
		if r.Method == http.MethodGet || r.Method == http.MethodPost {
			p := &protocol{}
			ctx = context.WithValue(ctx, protocolKey{}, p)
			w = &protocolWriter{ResponseWriter: w, p: p}
		}
		if ctx != r.Context() {
			r = r.WithContext(ctx) // one copy of the request for both
		}
		switch r.Method {
		case http.MethodGet:
			// gqlgen answers some GET mistakes (bad variables, a mutation) without its error
			// presenter: give those errors a code and the request ID like every other.
			cw := &codingWriter{ResponseWriter: w}
			next.ServeHTTP(cw, r)
			cw.finish(r)
			return
		case http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		case http.MethodPost:
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			l.refuse(w, r, http.StatusMethodNotAllowed, apperr.MethodNotAllowed, "use POST (or GET for queries)")
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			l.refuse(w, r, http.StatusUnsupportedMediaType, apperr.UnsupportedMedia,
				`send the request as Content-Type: application/json with a body {"query": "...", "variables": {...}}`)
			return
		}
		body := r.Body
		if l.MaxBodyBytes > 0 {
			body = http.MaxBytesReader(w, r.Body, l.MaxBodyBytes)
		}
		raw, err := io.ReadAll(body)
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				l.refuse(w, r, http.StatusRequestEntityTooLarge, apperr.PayloadTooLarge,
					"the request body exceeds "+byteSize(tooLarge.Limit)+"; send smaller documents and variables")
				return
			}
			l.refuse(w, r, http.StatusBadRequest, apperr.BadRequest, "the request body could not be read")
			return
		}
		if first := bytes.TrimLeft(raw, " \t\r\n"); len(first) > 0 && first[0] == '[' {
			l.refuse(w, r, http.StatusBadRequest, apperr.BadRequest,
				"batched requests (a JSON array of operations) are not supported; send one operation per request")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		next.ServeHTTP(w, r)
	})
}

// refuse writes a GraphQL response with one error, shaped like the error presenter's, and the
// cost report.
func (l Limits) refuse(w http.ResponseWriter, r *http.Request, status int, code apperr.Code, msg string) {
	apperr.Refuse(w, r, status, string(code), msg, map[string]any{"cost": l.Report(r.Context())})
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// codingWriter passes successful responses through and holds back error responses (status
// 400 and up) to complete their errors' extensions.
type codingWriter struct {
	http.ResponseWriter
	status int
	held   *bytes.Buffer
}

func (w *codingWriter) WriteHeader(status int) {
	if status >= http.StatusBadRequest && w.held == nil {
		w.status, w.held = status, &bytes.Buffer{}
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *codingWriter) Write(b []byte) (int, error) {
	if w.held != nil {
		return w.held.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *codingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *codingWriter) finish(r *http.Request) {
	if w.held == nil {
		return
	}
	body := w.held.Bytes()
	var resp struct {
		Errors     []map[string]any `json:"errors"`
		Data       json.RawMessage  `json:"data,omitempty"`
		Extensions map[string]any   `json:"extensions,omitempty"`
	}
	if json.Unmarshal(body, &resp) == nil && len(resp.Errors) > 0 {
		code := apperr.BadRequest
		if w.status == http.StatusMethodNotAllowed {
			code = apperr.MethodNotAllowed
		}
		for _, e := range resp.Errors {
			ext, _ := e["extensions"].(map[string]any)
			if ext == nil {
				ext = map[string]any{}
				e["extensions"] = ext
			}
			if _, ok := ext["code"]; !ok {
				ext["code"] = string(code)
			}
			// An error without a request ID missed the error presenter, and so the record
			// of codes the GraphQL layer keeps: count it here, and only it.
			if _, presented := ext["requestId"]; !presented {
				c, _ := ext["code"].(string)
				reqlog.AddCode(r.Context(), c)
			}
			if id := middleware.GetReqID(r.Context()); id != "" {
				ext["requestId"] = id
			}
		}
		if rewritten, err := json.Marshal(resp); err == nil {
			body = rewritten
		}
	}
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(body)
}
