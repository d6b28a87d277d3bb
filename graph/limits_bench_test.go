package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/httpserver"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// BenchmarkLimitsOverhead serves the canonical query (bench/products_nested.graphql, 50
// products) alternately through a stack with every limit off and one with the defaults, over
// the same store, so drift on a shared machine hits both alike. It reports each side's
// latency and the overhead of the checks in percent.
func BenchmarkLimitsOverhead(b *testing.B) {
	for _, kind := range storetest.Kinds {
		b.Run(kind, func(b *testing.B) {
			e, _ := countingEnv(b, kind)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			stack := func(l limits.Limits) http.Handler {
				return httpserver.New(httpserver.Options{
					Log:     log,
					GraphQL: graph.NewHandler(e.resolver, graph.ServerOptions{Log: log, Limits: &l}),
					Ready:   e.st.Ping,
				})
			}
			off, on := stack(limits.Limits{}), stack(limits.Defaults())
			body, err := json.Marshal(map[string]any{"query": ProductsNested, "variables": map[string]any{"first": 50}})
			if err != nil {
				b.Fatal(err)
			}
			once := func(h http.Handler) time.Duration {
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req)
				d := time.Since(start)
				if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
					b.Fatalf("HTTP %d: %.300s", rec.Code, rec.Body.String())
				}
				return d
			}
			once(off) // warm the query caches
			once(on)
			var tOff, tOn time.Duration
			b.ResetTimer()
			for i := range b.N {
				// Alternate which goes first, so neither always meets a warmer cache.
				if i%2 == 0 {
					tOff += once(off)
					tOn += once(on)
				} else {
					tOn += once(on)
					tOff += once(off)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(tOff.Nanoseconds())/float64(b.N), "off-ns/req")
			b.ReportMetric(float64(tOn.Nanoseconds())/float64(b.N), "on-ns/req")
			b.ReportMetric(100*(float64(tOn)/float64(tOff)-1), "overhead-%")
		})
	}
}
