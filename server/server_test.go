package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/httpserver"
	"github.com/vitrinehq/vitrine/server"
)

// newTestRouter is the router around a resolver with no store: enough for the routes and
// layers that never reach GraphQL execution.
func newTestRouter(origins []string, ready error) http.Handler {
	return server.New(&graph.Resolver{}, server.Options{
		Log:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		CORSOrigins: origins,
		Ready:       func(context.Context) error { return ready },
	})
}

func TestHealthAndReadiness(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		ready error
		want  int
	}{
		{"HealthzAlwaysUp", "/healthz", errors.New("db down"), http.StatusOK},
		{"ReadyzUp", "/readyz", nil, http.StatusOK},
		{"ReadyzDatabaseDown", "/readyz", errors.New("db down"), http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			newTestRouter(nil, tt.ready).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			require.Equal(t, tt.want, rec.Code)
			require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			require.NotContains(t, rec.Body.String(), "db down", "internal errors stay out of responses")
		})
	}
}

func TestCORS(t *testing.T) {
	tests := []struct {
		name, origin, want string
		allowed            []string
	}{
		{"AllowedOrigin", "https://shop.example", "https://shop.example", []string{"https://shop.example"}},
		{"OtherOrigin", "https://evil.example", "", []string{"https://shop.example"}},
		{"Wildcard", "https://any.example", "*", []string{"*"}},
		{"NoCORSConfigured", "https://shop.example", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
			req.Header.Set("Origin", tt.origin)
			req.Header.Set("Access-Control-Request-Method", http.MethodPost)
			req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			rec := httptest.NewRecorder()
			newTestRouter(tt.allowed, nil).ServeHTTP(rec, req)
			require.Equal(t, tt.want, rec.Header().Get("Access-Control-Allow-Origin"))
			require.Empty(t, rec.Header().Get("Access-Control-Allow-Credentials"), "credentials are never allowed")
		})
	}
}

func TestReadyzDrainingAndDetail(t *testing.T) {
	var draining bool
	h := httpserver.Readyz(httpserver.Readiness{
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		Ready:     func(context.Context) error { return nil },
		Draining:  func() bool { return draining },
		Databases: func(context.Context) any { return []string{"primary ok", "replica lagging"} },
	})
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec
	}
	rec := get()
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), "replica lagging")
	draining = true
	rec = get()
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.JSONEq(t, `{"status":"draining"}`, rec.Body.String())
}
