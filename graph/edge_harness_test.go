package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/server"
)

// edgeEnv returns the test stack over the embedded store: the guard rails behave the same on
// every store, so these tests do not repeat on Postgres.
func edgeEnv(t *testing.T) *env {
	t.Helper()
	return newEnv(t, storetest.Open(t, "sqlite", nil))
}

// edgeHandler is e's resolver behind the full router with the given guard rails, wired as
// cmd/vitrine serve wires them.
func edgeHandler(e *env, opts server.Options) http.Handler {
	opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.Introspection = true
	opts.Ready = e.st.Ping
	return server.New(e.resolver, opts)
}

// serveEdge serves edgeHandler and returns the GraphQL endpoint's URL.
func serveEdge(t *testing.T, e *env, opts server.Options) string {
	t.Helper()
	srv := httptest.NewServer(edgeHandler(e, opts))
	t.Cleanup(srv.Close)
	return srv.URL + "/graphql"
}

// edgeReply is an HTTP response with its GraphQL body decoded (when there is one).
type edgeReply struct {
	status int
	header http.Header
	body   []byte
	gqltest.Response
}

// code returns the extensions.code of the only error, failing the test otherwise.
func (r edgeReply) code(t *testing.T) string {
	t.Helper()
	require.Len(t, r.Errors, 1, "HTTP %d: %s", r.status, r.body)
	return r.Errors[0].Code()
}

// ok fails the test unless the response is a 200 with data and no errors.
func (r edgeReply) ok(t *testing.T) edgeReply {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Empty(t, r.Errors, "%s", r.body)
	require.NotEmpty(t, r.Data)
	return r
}

func send(t *testing.T, req *http.Request, header http.Header) edgeReply {
	t.Helper()
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	out := edgeReply{status: res.StatusCode, header: res.Header, body: body}
	if len(body) > 0 {
		require.NoError(t, json.Unmarshal(body, &out.Response), "HTTP %d: %s", res.StatusCode, body)
	}
	out.Status = res.StatusCode
	return out
}

// post sends a GraphQL-over-HTTP POST; payload holds query, variables, extensions.
func post(t *testing.T, endpoint string, payload map[string]any, header http.Header) edgeReply {
	t.Helper()
	raw, err := json.Marshal(payload)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(raw))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	return send(t, req, header)
}

// get sends a GraphQL-over-HTTP GET; objects in payload (variables, extensions) travel as JSON.
func get(t *testing.T, endpoint string, payload map[string]any, header http.Header) edgeReply {
	t.Helper()
	q := url.Values{}
	for k, v := range payload {
		if s, ok := v.(string); ok {
			q.Set(k, s)
			continue
		}
		raw, err := json.Marshal(v)
		require.NoError(t, err)
		q.Set(k, string(raw))
	}
	req, err := http.NewRequest(http.MethodGet, endpoint+"?"+q.Encode(), nil)
	require.NoError(t, err)
	return send(t, req, header)
}

// apq returns the APQ extension naming doc by hash.
func apq(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}
