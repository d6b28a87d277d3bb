package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vitrinehq/vitrine/internal/storetest"
)

// FuzzHandler sends random bodies, documents and variables through the whole HTTP stack on the
// embedded store: whatever arrives, the answer is a client error or a result, never a 5xx or
// an internal error. The seed corpus (hostile shapes and real queries) runs with go test;
// go test -fuzz=FuzzHandler ./graph/ explores from it.
func FuzzHandler(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.query, s.vars, s.raw)
	}
	e := newEnv(f, storetest.Open(f, "sqlite", nil))
	f.Fuzz(func(t *testing.T, query, vars string, raw bool) {
		var body []byte
		if raw {
			// The document is the whole body: malformed JSON, arrays, anything.
			body = []byte(query)
		} else {
			req := map[string]any{"query": query}
			var v any
			if json.Unmarshal([]byte(vars), &v) == nil {
				req["variables"] = v
			}
			var err error
			if body, err = json.Marshal(req); err != nil {
				t.Skip("not encodable")
			}
		}
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("HTTP %d for %q: %.500s", rec.Code, body, rec.Body.String())
		}
		if strings.Contains(rec.Body.String(), "INTERNAL_SERVER_ERROR") {
			t.Fatalf("internal error for %q: %.500s", body, rec.Body.String())
		}
		var res reply
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatalf("HTTP %d answer is not JSON: %v: %.500s", rec.Code, err, rec.Body.String())
		}
	})
}

var fuzzSeeds = []struct {
	query, vars string
	raw         bool
}{
	{ProductsNested, `{"first": 50}`, false},
	{`{ products(first: 3, where: {nameContains: $s}) { edges { cursor node { id name } } } }`, `{"s": "' OR 1=1"}`, false},
	{`query($q: String!) { search(query: $q, first: 3) { edges { node { name } } } }`, `{"q": "tent\u0000"}`, false},
	{`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, `{"ids": ["djE6MQ", "x", ""]}`, false},
	{`{ products(first: 2, after: "gqFpzQ") { totalCount } }`, ``, false},
	{`{ categories(first: 1) { edges { node { ...F } } } } fragment F on Category { parent { ...F } }`, ``, false},
	{`{ ...Q } fragment Q on Query { ...Q }`, ``, false},
	{`{ a: __typename b: __typename c: products { totalCount } }`, `[]`, false},
	{`mutation { login(email: "a@b.c", password: "x") { token } }`, ``, false},
	{`{ product(id: "djE6OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk") { name } }`, ``, false},
	{`{ ratingTrend(bucket: DAY, filter: {from: "2026-01-01T00:00:00Z", to: "2099-01-01T00:00:00Z"}) { count } }`, ``, false},
	{`{ topRatedProducts(first: 1000000) { product { name } } }`, ``, false},
	{`subscription { x }`, ``, false},
	{`{"query": "{ products { totalCount } }"`, ``, true},
	{`[{"query": "{ products { totalCount } }"}]`, ``, true},
	{`{"query": 5, "variables": "x"}`, ``, true},
	{`{"query": "query($a: Int) { products(first: $a) { totalCount } }", "variables": {"a": 1e400}}`, ``, true},
	{"\xff\xfe{}", ``, true},
}
