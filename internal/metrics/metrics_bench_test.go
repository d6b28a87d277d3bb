package metrics

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/vitrinehq/vitrine/internal/reqlog"
)

// BenchmarkObserveHTTP is the metrics' cost per GraphQL request, measured alone: the
// end-to-end benchmark (graph's BenchmarkObservabilityOverhead) cannot resolve a few
// microseconds in a request of milliseconds.
func BenchmarkObserveHTTP(b *testing.B) {
	m := New(Options{})
	rc := chi.NewRouteContext()
	rc.RoutePatterns = []string{"/graphql"}
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	r = r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rc))
	info := &reqlog.Info{Operation: "products_nested", OperationType: "query", Duration: 11 * time.Millisecond}
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveHTTP(r, http.StatusOK, 12*time.Millisecond, info)
		m.ObserveBatch("RatingSummary", 50)
	}
}
