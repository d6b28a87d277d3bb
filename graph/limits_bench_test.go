package graph_test

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/server"
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
				return server.New(e.resolver, server.Options{Log: log, Limits: &l, Ready: e.st.Ping})
			}
			off, on := stack(limits.Limits{}), stack(limits.Defaults())
			ns := timeStacks(b, off, on)
			b.ReportMetric(ns[0], "off-ns/req")
			b.ReportMetric(ns[1], "on-ns/req")
			b.ReportMetric(100*(ns[1]/ns[0]-1), "overhead-%")
		})
	}
}
