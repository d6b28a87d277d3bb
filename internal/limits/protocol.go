package limits

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/vitrinehq/vitrine/internal/apperr"
)

// Two GraphQL-over-HTTP rules gqlgen's transports do not follow, applied between Extension
// (which knows what went wrong) and Guard (which owns the response writer):
//
//   - A request without a query — no "query" in the body or URL and no persisted-query hash —
//     is not a GraphQL request: 400 BAD_REQUEST in every media type, where gqlgen answered a
//     validation failure ("no operation provided") with 200.
//   - A response to a request that failed before execution (parse, validation, variables, a
//     guard rail) has no data entry, as the GraphQL spec says; gqlgen's Response always
//     writes "data": null. A response of an execution keeps its data, null or not.

// protocol is what the GraphQL layer tells Guard's writer about the request.
type protocol struct {
	badRequest bool // the status becomes 400
	noData     bool // the data entry is left out of the body
}

type protocolKey struct{}

func protocolFrom(ctx context.Context) *protocol {
	p, _ := ctx.Value(protocolKey{}).(*protocol)
	return p
}

// noQuery refuses parameters that carry neither a document nor a persisted-query hash (the APQ
// extension, which persisted.DocumentIDs also writes for a documentId).
func noQuery(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query != "" || params.Extensions["persistedQuery"] != nil {
		return nil
	}
	if p := protocolFrom(ctx); p != nil {
		p.badRequest = true
	}
	return &gqlerror.Error{
		Message: `the request has no "query": send {"query": "...", "variables": {...}} ` +
			`(or ?query=... with GET)`,
		Extensions: map[string]any{"code": string(apperr.BadRequest)},
	}
}

// InterceptResponse implements graphql.ResponseInterceptor: it notes a response built without
// executing anything (gqlgen leaves its Data nil, where an execution's null is "null").
func (Extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp != nil && resp.Data == nil && len(resp.Errors) > 0 {
		if p := protocolFrom(ctx); p != nil {
			p.noData = true
		}
	}
	return resp
}

// protocolWriter applies what protocol says to the status and the body. gqlgen's transports
// write a GraphQL response with one Write, after the status.
type protocolWriter struct {
	http.ResponseWriter
	p *protocol
}

func (w *protocolWriter) WriteHeader(status int) {
	if w.p.badRequest {
		status = http.StatusBadRequest
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *protocolWriter) Write(b []byte) (int, error) {
	if !w.p.noData {
		return w.ResponseWriter.Write(b)
	}
	w.p.noData = false // one response per request
	var resp struct {
		Errors     json.RawMessage `json:"errors,omitempty"`
		Data       json.RawMessage `json:"-"`
		Extensions json.RawMessage `json:"extensions,omitempty"`
	}
	out := b
	if json.Unmarshal(b, &resp) == nil {
		if rewritten, err := json.Marshal(resp); err == nil {
			out = rewritten
		}
	}
	if _, err := w.ResponseWriter.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *protocolWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
