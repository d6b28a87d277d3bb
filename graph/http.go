package graph

import (
	"net/http"
	"strings"
)

// HTTPStatus adapts gqlgen's status codes to the GraphQL-over-HTTP spec: a well-formed request
// answered as application/json gets 200 even when the document fails validation (gqlgen sends
// 422); application/graphql-response+json keeps gqlgen's spec-compliant 4xx codes; a mutation
// sent with GET is 405 Method Not Allowed (gqlgen sends 406).
func HTTPStatus(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&jsonStatusWriter{ResponseWriter: w, get: r.Method == http.MethodGet}, r)
	})
}

type jsonStatusWriter struct {
	http.ResponseWriter
	get bool
}

func (w *jsonStatusWriter) WriteHeader(status int) {
	switch {
	case status == http.StatusUnprocessableEntity && strings.HasPrefix(w.Header().Get("Content-Type"), "application/json"):
		status = http.StatusOK
	case status == http.StatusNotAcceptable && w.get:
		w.Header().Set("Allow", "POST")
		status = http.StatusMethodNotAllowed
	}
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *jsonStatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
