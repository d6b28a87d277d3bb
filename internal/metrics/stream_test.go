package metrics

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/reqlog"
)

// TestEventStreamsStayOutOfLatencies: a subscription's event stream lasts as long as its
// client listens, so it is not a request latency.
func TestEventStreamsStayOutOfLatencies(t *testing.T) {
	m := New(Options{})
	r := graphqlRequest()
	m.ObserveHTTP(r, http.StatusOK, 10*time.Minute, &reqlog.Info{Stream: true})
	require.Zero(t, latencies(t, m))
	m.ObserveHTTP(r, http.StatusOK, 10*time.Millisecond, &reqlog.Info{Operation: "q", OperationType: "query"})
	require.Equal(t, uint64(1), latencies(t, m))
}

// latencies is how many requests vitrine_http_request_duration_seconds observed.
func latencies(t *testing.T, m *Metrics) uint64 {
	t.Helper()
	fams, err := m.reg.Gather()
	require.NoError(t, err)
	var n uint64
	for _, f := range fams {
		if f.GetName() == "vitrine_http_request_duration_seconds" {
			for _, s := range f.GetMetric() {
				n += s.GetHistogram().GetSampleCount()
			}
		}
	}
	return n
}

// graphqlRequest is a POST /graphql as chi routes it.
func graphqlRequest() *http.Request {
	rc := chi.NewRouteContext()
	rc.RoutePatterns = []string{"/graphql"}
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	return r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rc))
}
