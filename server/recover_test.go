package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/reqlog"
	"github.com/vitrinehq/vitrine/server"
)

// A panic outside the GraphQL executor (here in the readiness check) answers 500 with
// INTERNAL_SERVER_ERROR and the request ID, and logs the stack under that ID.
func TestPanicOutsideGraphQL(t *testing.T) {
	var logs bytes.Buffer
	h := server.New(&graph.Resolver{}, server.Options{
		Log:   slog.New(reqlog.Handler(slog.NewJSONHandler(&logs, nil))),
		Ready: func(context.Context) error { panic("readiness check exploded") },
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	var body struct {
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	require.Len(t, body.Errors, 1)
	id := rec.Header().Get("X-Request-ID")
	require.NotEmpty(t, id)
	require.Equal(t, "internal error", body.Errors[0].Message)
	require.Equal(t, "INTERNAL_SERVER_ERROR", body.Errors[0].Extensions["code"])
	require.Equal(t, id, body.Errors[0].Extensions["requestId"])
	require.NotContains(t, rec.Body.String(), "exploded")

	var sawPanic, sawAccess bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		require.Equal(t, id, r["request_id"], line)
		switch r["msg"] {
		case "panic":
			sawPanic = true
			require.Equal(t, "readiness check exploded", r["panic"])
			require.Contains(t, r["stack"], "goroutine")
		case "request":
			sawAccess = true
			require.Equal(t, float64(http.StatusInternalServerError), r["status"])
		}
	}
	require.True(t, sawPanic && sawAccess, logs.String())
}
