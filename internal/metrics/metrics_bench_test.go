package metrics

import (
	"net/http"
	"testing"
	"time"

	"github.com/vitrinehq/vitrine/internal/reqlog"
)

// BenchmarkObserveHTTP is the metrics' cost per GraphQL request, measured alone: the
// end-to-end benchmark (graph's BenchmarkObservabilityOverhead) cannot resolve a few
// microseconds in a request of milliseconds.
func BenchmarkObserveHTTP(b *testing.B) {
	m := New(Options{})
	r := graphqlRequest()
	info := &reqlog.Info{Operation: "products_nested", OperationType: "query", Duration: 11 * time.Millisecond}
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveHTTP(r, http.StatusOK, 12*time.Millisecond, info)
		m.ObserveBatch("RatingSummary", 50)
	}
}
