package graph_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/server"
)

// graphiqlIntrospection is the head of the query GraphiQL sends when it opens.
const graphiqlIntrospection = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name } } }`

// TestIntrospectionDisabled: with introspection off (production), every way of asking for
// __schema or __type is a validation failure of the document, answered like any other and
// never logged as a server error; __typename still works.
func TestIntrospectionDisabled(t *testing.T) {
	documents := []struct{ name, query string }{
		{"GraphiQL", graphiqlIntrospection},
		{"Type", `{ __type(name: "Product") { fields { name } } }`},
		{"BesideData", `{ products(first: 1) { totalCount } __schema { queryType { name } } }`},
		{"InFragment", `query { ...Meta } fragment Meta on Query { __schema { types { name } } }`},
		{"InInlineFragment", `{ ... on Query { ... @include(if: true) { __type(name: "User") { name } } } }`},
	}
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			var logs bytes.Buffer
			e := newLimitedEnv(t, storetest.Open(t, kind, nil), server.Options{
				Log: slog.New(slog.NewJSONHandler(&logs, nil)),
			})
			typo := serve(t, e.handler, gqlRequest(t, `{ prodcts { totalCount } }`, nil, ""))
			for _, d := range documents {
				t.Run(d.name, func(t *testing.T) {
					res := serve(t, e.handler, gqlRequest(t, d.query, nil, ""))
					require.Len(t, res.Errors, 1, res.Raw)
					require.Equal(t, "GRAPHQL_VALIDATION_FAILED", res.Errors[0].Code(), res.Raw)
					require.Equal(t, graph.IntrospectionDisabled, res.Errors[0].Message)
					require.Equal(t, typo.Status, res.Status, "answered like any validation failure")
					require.NotContains(t, res.Raw, "ProductWhereInput")
					require.NotContains(t, res.Raw, "totalCount", "nothing of the operation runs")
				})
			}
			res := serve(t, e.handler, gqlRequest(t, `{ __typename products(first: 1) { __typename totalCount } }`, nil, ""))
			require.Empty(t, res.Errors, res.Raw)
			require.Contains(t, res.Raw, `"__typename":"Query"`)
			require.NotContains(t, logs.String(), `"level":"ERROR"`)
			require.False(t, strings.Contains(logs.String(), "introspection disabled"), logs.String())
		})
	}
}
