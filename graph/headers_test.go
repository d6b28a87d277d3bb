package graph_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/httpserver"
	"github.com/vitrinehq/vitrine/internal/playground"
	"github.com/vitrinehq/vitrine/internal/ratelimit"
	"github.com/vitrinehq/vitrine/server"
)

// TestEveryResponseIsNosniff sends one request of each kind the router answers — success,
// GraphQL errors, every refusal of the transport guard, 404, 429, health checks, the playground
// — and requires X-Content-Type-Options: nosniff on all of them, the playground's own
// Content-Security-Policy on the HTML page and the strict default everywhere else.
func TestEveryResponseIsNosniff(t *testing.T) {
	e := edgeEnv(t)
	pg, err := playground.New("Vitrine", "/graphql", "/playground/assets/", "{ products { totalCount } }")
	require.NoError(t, err)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	stack := func(perMinute int) *httptest.Server {
		srv := httptest.NewServer(server.New(e.resolver, server.Options{
			Log:        quiet,
			Ready:      e.st.Ping,
			RateLimit:  &ratelimit.Guard{Requests: ratelimit.NewLocal(perMinute), Log: quiet},
			Playground: pg,
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	open, throttled := stack(1000), stack(1)
	get := func(srv *httptest.Server, path string) *http.Request {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		return req
	}
	post := func(srv *httptest.Server, contentType, body string) *http.Request {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", contentType)
		return req
	}
	// Spends the throttled stack's one token, so its next request is refused.
	res, err := http.DefaultClient.Do(post(throttled, "application/json", `{"query":"{ __typename }"}`))
	require.NoError(t, err)
	res.Body.Close()
	put := post(open, "application/json", `{"query":"{ __typename }"}`)
	put.Method = http.MethodPut
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		html   bool
	}{
		{"Query", post(open, "application/json", `{"query":"{ products(first: 1) { totalCount } }"}`), 200, false},
		{"GetQuery", get(open, "/graphql?query=%7B__typename%7D"), 200, false},
		{"SyntaxError", post(open, "application/json", `{"query":"{"}`), 200, false},
		{"BadJSON", post(open, "application/json", `{`), 400, false},
		{"TooLarge", post(open, "application/json", `{"query":"`+strings.Repeat(" ", 2<<20)+`"}`), 413, false},
		{"WrongMediaType", post(open, "text/plain", `{}`), 415, false},
		{"WrongMethod", put, 405, false},
		{"RateLimited", post(throttled, "application/json", `{"query":"{ __typename }"}`), 429, false},
		{"NotFound", get(open, "/nope"), 404, false},
		{"Healthz", get(open, "/healthz"), 200, false},
		{"Readyz", get(open, "/readyz"), 200, false},
		{"Playground", get(open, "/"), 200, true},
		{"PlaygroundAsset", get(open, "/playground/assets/graphiql.min.js"), 200, false},
		{"MissingAsset", get(open, "/playground/assets/nope.js"), 404, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := http.DefaultClient.Do(tc.req)
			require.NoError(t, err)
			defer res.Body.Close()
			_, _ = io.Copy(io.Discard, res.Body)
			require.Equal(t, tc.status, res.StatusCode)
			require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
			csp := res.Header.Get("Content-Security-Policy")
			if tc.html {
				require.Contains(t, csp, "default-src 'none'")
				require.Contains(t, csp, "frame-ancestors 'none'")
				require.Contains(t, csp, "script-src 'self' 'sha256-")
				return
			}
			require.Equal(t, httpserver.DefaultCSP, csp)
		})
	}
}
