package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func httpGet(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header, string(body)
}

// /metrics is on the main listener only in development or when asked for; production serves
// it on the admin listener alone. Every response carries its request ID.
func TestServeMetricsListeners(t *testing.T) {
	// Auto-migrate: these tests are about listeners, not about the production upgrade path.
	prod := map[string]string{"VITRINE_ENV": "production", "VITRINE_JWT_SECRET": strings.Repeat("s", 32), "VITRINE_AUTO_MIGRATE": "true"}
	tests := []struct {
		name  string
		env   map[string]string
		admin bool
		main  bool
	}{
		{"DevelopmentOnMain", nil, false, true},
		{"ProductionNowhereByDefault", prod, false, false},
		{"ProductionAdminListenerOnly", prod, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"DATABASE_URL": storetest.URL(t), "VITRINE_DATA_DIR": t.TempDir()}
			for k, v := range tt.env {
				env[k] = v
			}
			adminAddr := ""
			if tt.admin {
				adminAddr = freeAddr(t)
				env["VITRINE_METRICS_ADDR"] = adminAddr
			}
			base, _ := startServer(t, env)
			var out struct{ Products struct{ TotalCount int } }
			(&gqltest.Client{URL: base + "/graphql"}).MustData(t, &out, `query Count { products { totalCount } }`, nil)

			status, header, body := httpGet(t, base+"/metrics")
			require.NotEmpty(t, header.Get("X-Request-ID"))
			if tt.main {
				require.Equal(t, http.StatusOK, status)
				require.Contains(t, body, `vitrine_graphql_requests_total{operation="Count",outcome="ok",type="query"} 1`)
			} else {
				require.NotEqual(t, http.StatusOK, status, "metrics must not be public: %.200s", body)
			}
			if tt.admin {
				status, _, body := httpGet(t, "http://"+adminAddr+"/metrics")
				require.Equal(t, http.StatusOK, status)
				require.Contains(t, body, `vitrine_graphql_requests_total{operation="Count",outcome="ok",type="query"} 1`)
				require.Contains(t, body, `go_sql_open_connections{db_name="primary"}`)
			}
		})
	}
}

// With OTEL_EXPORTER_OTLP_ENDPOINT set, serve exports its spans over OTLP/HTTP to that
// collector (here an in-process receiver) and flushes them when it shuts down.
func TestServeExportsTracesOverOTLP(t *testing.T) {
	var (
		mu    sync.Mutex
		spans []string
		svc   string
	)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
			http.Error(w, "bad export", http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, rs := range req.GetResourceSpans() {
			for _, a := range rs.GetResource().GetAttributes() {
				if a.GetKey() == "service.name" {
					svc = a.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					spans = append(spans, s.GetName())
				}
			}
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(nil)
	}))
	defer collector.Close()
	// The exporter reads the standard variables from the process environment itself.
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_SERVICE_NAME", "vitrine-test")
	env := map[string]string{"DATABASE_URL": storetest.URL(t), "VITRINE_DATA_DIR": t.TempDir(), "OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, nil, io.Discard, func(a net.Addr) { addrc <- a })
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a.String()
	case err := <-done:
		t.Fatalf("serve exited early: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	var out struct{ Products struct{ TotalCount int } }
	(&gqltest.Client{URL: base + "/graphql"}).MustData(t, &out, `query Count { products { totalCount } }`, nil)
	cancel()
	require.NoError(t, <-done)

	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, "vitrine-test", svc, "OTEL_SERVICE_NAME names the service")
	require.Contains(t, spans, "POST /graphql")
	require.Contains(t, spans, "query Count")
	require.Contains(t, spans, "Query.products")
	require.Contains(t, spans, "SELECT")
}
