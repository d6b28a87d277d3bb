package httpserver

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/reqlog"
)

// A panic outside the GraphQL executor (here in the authentication middleware) answers 500
// with INTERNAL_SERVER_ERROR and the request ID, and logs the stack under that ID.
func TestPanicOutsideGraphQL(t *testing.T) {
	var logs bytes.Buffer
	h := New(Options{
		Log:     slog.New(reqlog.Handler(slog.NewJSONHandler(&logs, nil))),
		GraphQL: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
		Authenticate: func(http.Handler) http.Handler {
			return http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("token store exploded") })
		},
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{}`)))
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
			require.Equal(t, "token store exploded", r["panic"])
			require.Contains(t, r["stack"], "goroutine")
		case "request":
			sawAccess = true
			require.Equal(t, float64(http.StatusInternalServerError), r["status"])
		}
	}
	require.True(t, sawPanic && sawAccess, logs.String())
}
