package graph_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/extension"

	"github.com/vitrinehq/vitrine/internal/httpcache"
	"github.com/vitrinehq/vitrine/internal/persisted"
	"github.com/vitrinehq/vitrine/internal/ratelimit"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/server"
)

// BenchmarkEdge measures what the guard rails add to a public GET of the canonical nested
// query (embedded store, no network): bare handler, with APQ + caching headers + rate limits,
// and a revalidation answered 304.
func BenchmarkEdge(b *testing.B) {
	e := newEnv(b, storetest.Open(b, "sqlite", nil))
	guarded := server.Options{
		Documents: extension.AutomaticPersistedQuery{Cache: persisted.NewLocal()},
		HTTPCache: &httpcache.Policy{MaxAge: 30 * time.Second},
		RateLimit: &ratelimit.Guard{Requests: ratelimit.NewLocal(1 << 30), Mutations: ratelimit.NewLocal(1 << 30), Log: quiet},
	}
	vars, _ := json.Marshal(map[string]any{"first": 10})
	full := "/graphql?" + url.Values{"query": {ProductsNested}, "variables": {string(vars)}}.Encode()
	ext, _ := json.Marshal(apq(persisted.Hash(ProductsNested)))
	byHash := "/graphql?" + url.Values{"extensions": {string(ext)}, "variables": {string(vars)}}.Encode()

	h := edgeHandler(e, guarded)
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest(http.MethodGet, full+"&extensions="+url.QueryEscape(string(ext)), nil))
	etag := first.Header().Get("ETag")
	if first.Code != http.StatusOK || etag == "" {
		b.Fatalf("registration: %d %q", first.Code, first.Body)
	}

	cases := []struct {
		name    string
		handler http.Handler
		target  string
		header  http.Header
		want    int
	}{
		{"Bare", edgeHandler(e, server.Options{}), full, nil, http.StatusOK},
		{"GuardedFullText", h, full, nil, http.StatusOK},
		{"GuardedHash", h, byHash, nil, http.StatusOK},
		{"GuardedHash304", h, byHash, http.Header{"If-None-Match": {etag}}, http.StatusNotModified},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, c.target, nil)
				for k, v := range c.header {
					req.Header[k] = v
				}
				rec := httptest.NewRecorder()
				c.handler.ServeHTTP(rec, req)
				if rec.Code != c.want {
					b.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
