package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// benchShapes are the canonical query shapes, measured in-process through the real handler.
var benchShapes = []struct {
	name, query string
	vars        map[string]any
}{
	{"ProductsNested50", ProductsNested, map[string]any{"first": 50}},
	{"ReviewsAuthorsCounts50", `query($first: Int) { reviews(first: $first) { edges { node { title author { displayName reviewCount } } } } }`, map[string]any{"first": 50}},
	{"CategoryTreeProductsRatings", `{ categories(first: 50) { edges { node { name productCount children { name }
		products(first: 5) { edges { node { name ratingSummary { average count } } } } } } } }`, nil},
}

// BenchmarkShapes serves each shape through the HTTP handler (no network) and reports
// allocations and the peak number of goroutines seen while serving.
func BenchmarkShapes(b *testing.B) {
	for _, kind := range storetest.Kinds {
		b.Run(kind, func(b *testing.B) {
			e, _ := countingEnv(b, kind)
			for _, s := range benchShapes {
				body, err := json.Marshal(map[string]any{"query": s.query, "variables": s.vars})
				if err != nil {
					b.Fatal(err)
				}
				b.Run(s.name, func(b *testing.B) {
					var peak atomic.Int64
					stop := make(chan struct{})
					go sampleGoroutines(&peak, stop)
					b.ReportAllocs()
					b.ResetTimer()
					cpu := processCPU(b)
					serveN(b, e.handler, body)
					cpu = processCPU(b) - cpu
					b.StopTimer()
					close(stop)
					b.ReportMetric(float64(peak.Load()), "peak-goroutines")
					b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
				})
			}
		})
	}
}

// processCPU is the CPU time this process has used, user and system. Per request it measures
// the server's own work (with Postgres, the database's CPU is another process's), and unlike
// ns/op it does not grow when other processes share the machine.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func sampleGoroutines(peak *atomic.Int64, stop <-chan struct{}) {
	base := int64(runtime.NumGoroutine())
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			if n := int64(runtime.NumGoroutine()) - base; n > peak.Load() {
				peak.Store(n)
			}
		}
	}
}

// BenchmarkSubmitQuiz scores and stores a submission against 20,000 products.
func BenchmarkSubmitQuiz(b *testing.B) {
	for _, kind := range storetest.Kinds {
		b.Run(kind, func(b *testing.B) {
			e := newEnv(b, storetest.Open(b, kind, nil))
			ctx := context.Background()
			c := e.st.Client
			cats := []*ent.Category{e.fx.outdoor, e.fx.camping, e.fx.tents, e.fx.kitchen}
			for start := 0; start < 20000; start += 1000 {
				batch := make([]*ent.ProductCreate, 1000)
				for i := range batch {
					n := start + i
					batch[i] = c.Product.Create().SetSku(fmt.Sprintf("B-%05d", n)).SetName(fmt.Sprintf("Bench %d", n)).
						SetSlug(fmt.Sprintf("bench-%d", n)).SetPrice(int64(n)).SetStock(n % 9).SetCategory(cats[n%4])
				}
				c.Product.CreateBulk(batch...).ExecX(ctx)
			}
			admin := e.asUser(b, e.fx.users[0])
			var created struct{ CreateQuiz apiQuiz }
			admin.MustData(b, &created, createQuiz, map[string]any{"in": finderQuiz(e)})
			qz := created.CreateQuiz
			admin.MustData(b, &struct{}{}, `mutation($id: ID!) { publishQuiz(id: $id) { id } }`, map[string]any{"id": qz.ID})
			body, err := json.Marshal(map[string]any{
				"query": `mutation($q: ID!, $a: [QuizAnswerInput!]!) { submitQuiz(quizID: $q, answers: $a) { recommendations { product { id name } score } } }`,
				"variables": map[string]any{"q": qz.ID, "a": []any{
					answer(qz.Questions[0].ID, qz.Questions[0].Options[0].ID),
					answer(qz.Questions[1].ID, qz.Questions[1].Options[0].ID, qz.Questions[1].Options[1].ID),
				}},
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			serveN(b, e.handler, body)
		})
	}
}

// serveN posts body to the handler b.N times and fails on any error.
func serveN(b *testing.B, h http.Handler, body []byte) {
	b.Helper()
	for range b.N {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
			b.Fatalf("HTTP %d: %.300s", rec.Code, rec.Body.String())
		}
	}
}
