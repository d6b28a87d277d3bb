package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// timeStacks serves the canonical query (bench/products_nested.graphql, 50 products) through
// every stack b.N times, rotating which goes first so that drift on a shared machine hits all
// alike and none always meets a warmer cache, and returns each stack's mean latency in ns.
func timeStacks(b *testing.B, stacks ...http.Handler) []float64 {
	b.Helper()
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
	for _, h := range stacks {
		once(h) // warm the query caches
	}
	total := make([]time.Duration, len(stacks))
	b.ResetTimer()
	for i := range b.N {
		for j := range stacks {
			k := (i + j) % len(stacks)
			total[k] += once(stacks[k])
		}
	}
	b.StopTimer()
	mean := make([]float64, len(stacks))
	for k, t := range total {
		mean[k] = float64(t.Nanoseconds()) / float64(b.N)
	}
	return mean
}
