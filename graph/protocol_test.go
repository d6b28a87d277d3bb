package graph_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const graphqlResponseJSON = "application/graphql-response+json"

// TestRequestErrorsHaveNoData follows the GraphQL spec ("if an error was raised before execution
// begins, the data entry should not be present") and the GraphQL-over-HTTP audits: a document
// that does not parse, validate or coerce gets errors and no data entry, in both media types;
// an error during execution keeps data.
func TestRequestErrorsHaveNoData(t *testing.T) {
	e := edgeEnv(t)
	for _, accept := range []string{graphqlResponseJSON, "application/json"} {
		for _, tc := range []struct {
			name   string
			body   string
			data   bool
			status map[string]int // by media type
			code   string
		}{
			{"ParseError", `{"query":"{"}`, false, map[string]int{graphqlResponseJSON: 400, "application/json": 200}, "GRAPHQL_PARSE_FAILED"},
			{"ValidationError", `{"query":"{ nope }"}`, false, map[string]int{graphqlResponseJSON: 400, "application/json": 200}, "GRAPHQL_VALIDATION_FAILED"},
			{"VariableError", `{"query":"query($n: Int) { products(first: $n) { totalCount } }","variables":{"n":true}}`, false,
				map[string]int{graphqlResponseJSON: 400, "application/json": 200}, "GRAPHQL_VALIDATION_FAILED"},
			{"ExecutionError", `{"query":"{ product(id: \"nope\") { name } }"}`, true,
				map[string]int{graphqlResponseJSON: 200, "application/json": 200}, "BAD_USER_INPUT"},
			{"GetValidationError", "?query=%7B%20nope%20%7D", false, map[string]int{graphqlResponseJSON: 400, "application/json": 200}, "GRAPHQL_VALIDATION_FAILED"},
			{"GetExecutionError", "?query=%7B%20product(id%3A%20%22nope%22)%20%7B%20name%20%7D%20%7D", true,
				map[string]int{graphqlResponseJSON: 200, "application/json": 200}, "BAD_USER_INPUT"},
		} {
			t.Run(accept+"/"+tc.name, func(t *testing.T) {
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(tc.body))
				if strings.HasPrefix(tc.body, "?") {
					req = httptest.NewRequest(http.MethodGet, "/graphql"+tc.body, nil)
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", accept)
				got := serve(t, e.handler, req)
				require.Equal(t, tc.status[accept], got.Status, got.Raw)
				require.Equal(t, []string{tc.code}, got.codes(), got.Raw)
				var top map[string]json.RawMessage
				require.NoError(t, json.Unmarshal([]byte(got.Raw), &top))
				_, hasData := top["data"]
				require.Equal(t, tc.data, hasData, got.Raw)
				require.Contains(t, top, "extensions", "the cost report stays")
			})
		}
	}
}

// TestRequestWithoutQueryIsBadRequest: a body or URL that names no query (a typo in the key, an
// empty string, nothing at all) is not a GraphQL request: 400 BAD_REQUEST, in both media types.
// A persisted-query hash without the text is still a request.
func TestRequestWithoutQueryIsBadRequest(t *testing.T) {
	e := edgeEnv(t)
	post := func(body string) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return req
	}
	for _, accept := range []string{graphqlResponseJSON, "application/json"} {
		for _, tc := range []struct {
			name string
			req  *http.Request
		}{
			{"MisspelledKey", post(`{"qeury":"{ __typename }"}`)},
			{"EmptyQuery", post(`{"query":""}`)},
			{"NullQuery", post(`{"query":null}`)},
			{"EmptyObject", post(`{}`)},
			{"GetWithoutQuery", httptest.NewRequest(http.MethodGet, "/graphql", nil)},
			{"GetWithOnlyVariables", httptest.NewRequest(http.MethodGet, "/graphql?variables=%7B%7D", nil)},
		} {
			t.Run(accept+"/"+tc.name, func(t *testing.T) {
				tc.req.Header.Set("Accept", accept)
				got := serve(t, e.handler, tc.req)
				require.Equal(t, http.StatusBadRequest, got.Status, got.Raw)
				require.Equal(t, []string{"BAD_REQUEST"}, got.codes(), got.Raw)
				require.Contains(t, got.Errors[0].Message, "query")
				require.NotContains(t, got.Raw, `"data"`)
			})
		}
	}
}
