package replica

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vitrinehq/vitrine/internal/redisconn"
)

// failingMarks fails every call with err.
type failingMarks struct{ err error }

func (f failingMarks) Mark(context.Context, string, LSN, time.Duration) error { return f.err }
func (f failingMarks) Position(context.Context, string) (LSN, error)          { return 0, f.err }

// While Redis's breaker is open, each signed-in request meets the outage; it was logged once
// when it began, so the requests log it at DEBUG, and any other failure at WARN. Both pin the
// request to the primary.
func TestMarkFailuresAreLoggedOncePerOutage(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		wantLevel string
	}{
		{"BreakerOpen", redisconn.ErrUnavailable, "level=DEBUG"},
		{"OtherFailure", errors.New("i/o timeout"), "level=WARN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			r := &Router{opts: Options{
				Marks: failingMarks{tc.err},
				Log:   slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			}}
			var pinned bool
			h := r.Middleware(func(*http.Request) string { return "42" })(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
				pinned = stateFrom(req.Context()).pinned.Load()
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
			if !pinned {
				t.Fatal("a request whose mark cannot be read must read from the primary")
			}
			line := strings.TrimSpace(logs.String())
			if !strings.Contains(line, tc.wantLevel) || strings.Count(line, "\n") != 0 {
				t.Fatalf("log = %q, want one record at %s", line, tc.wantLevel)
			}
		})
	}
}
