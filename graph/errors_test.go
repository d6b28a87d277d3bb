package graph_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/relay"
)

func TestArgumentErrors(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		fx := e.fx
		var page struct{ Products conn }
		e.gql.MustData(t, &page, `{ products(first: 2, orderBy: [{field: PRICE}]) { pageInfo { endCursor } edges { cursor } } }`, nil)
		priceCursor := *page.Products.PageInfo.EndCursor

		missingProduct := relay.Encode(fx.products[29].ID + 1000)
		tests := []struct {
			name, query string
			vars        map[string]any
			code, field string
		}{
			{"ErrNegativeFirst", `{ products(first: -1) { totalCount } }`, nil, "BAD_USER_INPUT", "first"},
			{"ErrFirstOverMax", `{ products(first: 101) { totalCount } }`, nil, "BAD_USER_INPUT", "first"},
			{"ErrLastOverMax", `{ reviews(last: 1000) { totalCount } }`, nil, "BAD_USER_INPUT", "last"},
			{"ErrFirstAndLast", `{ categories(first: 1, last: 1) { totalCount } }`, nil, "BAD_USER_INPUT", "last"},
			{"ErrNestedOverMax", `query($id: ID!) { product(id: $id) { reviews(first: 500) { totalCount } } }`,
				map[string]any{"id": relay.Encode(fx.products[0].ID)}, "BAD_USER_INPUT", "first"},
			{"ErrGarbageCursor", `{ products(first: 1, after: "not-a-cursor") { totalCount } }`, nil, "BAD_USER_INPUT", ""},
			{"ErrCursorFromOtherOrder", `query($c: Cursor) { products(first: 1, after: $c, orderBy: [{field: PRICE}, {field: NAME}]) { totalCount } }`,
				map[string]any{"c": priceCursor}, "BAD_USER_INPUT", "after"},
			{"ErrCursorOnSearch", `query($c: Cursor) { search(query: "tent", after: $c) { totalCount } }`,
				map[string]any{"c": priceCursor}, "BAD_USER_INPUT", "after"},
			{"ErrMalformedID", `{ product(id: "xyz") { id } }`, nil, "BAD_USER_INPUT", ""},
			{"ErrMalformedIDVariable", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "%%%"}, "BAD_USER_INPUT", ""},
			{"ErrUnknownProduct", `query($id: ID!) { product(id: $id) { id } }`, map[string]any{"id": missingProduct}, "NOT_FOUND", ""},
			{"ErrUnknownNode", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": missingProduct}, "NOT_FOUND", ""},
			{"ErrIDOutsideAnyType", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": relay.Encode(1 << 50)}, "NOT_FOUND", ""},
			{"ErrUnknownSlug", `{ productBySlug(slug: "no-such-thing") { id } }`, nil, "NOT_FOUND", ""},
			{"ErrUnknownCategory", `{ category(slug: "nope") { id } }`, nil, "NOT_FOUND", ""},
			{"ErrBadTimeFilter", `{ products(where: {createdAtGT: "yesterday"}) { totalCount } }`, nil, "BAD_USER_INPUT", ""},
			{"ErrTooManyNodes", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
				map[string]any{"ids": repeat(relay.Encode(fx.products[0].ID), 101)}, "BAD_USER_INPUT", "ids"},
			{"ErrUnknownField", `{ products { nope } }`, nil, "GRAPHQL_VALIDATION_FAILED", ""},
			{"ErrParse", `{ products(first: ) }`, nil, "GRAPHQL_PARSE_FAILED", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := e.gql.MustError(t, tt.code, tt.query, tt.vars)
				require.NotEmpty(t, got.Message)
				if tt.field != "" {
					require.Equal(t, tt.field, got.Extensions["field"])
				}
				for _, leak := range []string{"SELECT", "sql:", "pq:", "goroutine", ".go:"} {
					require.NotContains(t, got.Message, leak)
				}
			})
		}
	})
}

func TestDefaultPageSize(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		var out struct{ Products conn }
		e.gql.MustData(t, &out, `{ products { totalCount pageInfo { hasNextPage } edges { cursor } } }`, nil)
		require.Equal(t, 30, out.Products.TotalCount)
		require.Len(t, out.Products.Edges, 20)
		require.True(t, out.Products.PageInfo.HasNextPage)
	})
}

func TestHTTPTransport(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		base := strings.TrimSuffix(e.gql.URL, "/graphql")
		get := func(path string, header map[string]string) *http.Response {
			req, err := http.NewRequest(http.MethodGet, base+path, nil)
			require.NoError(t, err)
			for k, v := range header {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			res.Body.Close()
			return res
		}
		require.Equal(t, http.StatusOK, get("/graphql?query=%7Bproducts%7BtotalCount%7D%7D", nil).StatusCode)
		require.Equal(t, http.StatusOK, get("/healthz", nil).StatusCode)
		require.Equal(t, http.StatusOK, get("/readyz", nil).StatusCode)
		// Validation failures: 200 for application/json, 400 for application/graphql-response+json.
		require.Equal(t, http.StatusOK, get("/graphql?query=%7Bnope%7D", nil).StatusCode)
		require.Equal(t, http.StatusBadRequest, get("/graphql?query=%7Bnope%7D",
			map[string]string{"Accept": "application/graphql-response+json"}).StatusCode)

		mutation := get("/graphql?query=mutation%7BdeleteRating(productID:%22x%22)%7D", nil)
		require.Equal(t, http.StatusMethodNotAllowed, mutation.StatusCode)
		require.Equal(t, "POST", mutation.Header.Get("Allow"))

		req, err := http.NewRequest(http.MethodPost, e.gql.URL, strings.NewReader(`{"query": `))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusBadRequest, res.StatusCode)
	})
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
