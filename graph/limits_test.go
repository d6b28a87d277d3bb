package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/internal/reqlog"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/server"
)

// newLimitedEnv builds the stack like newEnv, with the given server options. A nil opts.Log
// logs nowhere.
func newLimitedEnv(t testing.TB, st *store.Store, opts server.Options) *env {
	t.Helper()
	return newStack(t, st, bcrypt.MinCost, opts)
}

// reply is a GraphQL response with its HTTP status and extensions.
type reply struct {
	Status     int
	Header     http.Header
	Raw        string
	Data       json.RawMessage `json:"data"`
	Errors     []gqltest.Error `json:"errors"`
	Extensions struct {
		Cost *limits.CostReport `json:"cost"`
	} `json:"extensions"`
}

// codes lists the errors' extensions.code values.
func (r reply) codes() []string {
	out := make([]string, len(r.Errors))
	for i, e := range r.Errors {
		out[i] = e.Code()
	}
	return out
}

// serve runs one request through the handler in-process.
func serve(t testing.TB, h http.Handler, req *http.Request) reply {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	out := reply{Status: rec.Code, Header: rec.Header(), Raw: rec.Body.String()}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("response (HTTP %d) is not GraphQL JSON: %v\n%.500s", rec.Code, err, rec.Body.String())
	}
	return out
}

// gqlRequest is a POST of query and variables, with an optional bearer token.
func gqlRequest(t testing.TB, query string, vars map[string]any, token string) *http.Request {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// nested returns a selection of field nested depth times around leaf.
func nested(field string, depth int, leaf string) string {
	return strings.Repeat(field+" { ", depth) + leaf + strings.Repeat(" }", depth)
}

// fragmentChain is n fragments each nesting the next one field deeper.
func fragmentChain(n int) string {
	var b strings.Builder
	b.WriteString("{ categories(first: 1) { edges { node { ...F0 } } } }\n")
	for i := range n {
		fmt.Fprintf(&b, "fragment F%d on Category { name parent { ...F%d } }\n", i, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Category { name }\n", n)
	return b.String()
}

func aliases(n int, field string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "a%d: %s ", i, field)
	}
	return b.String()
}

// refusals are documents every limit must refuse before any SQL runs.
var refusals = []struct {
	name, query string
	vars        map[string]any
	code        string
}{
	// categories, edges, node, 9 × parent, name: 13 fields deep.
	{"TooDeep", "{ categories(first: 1) { edges { node { " + nested("parent", 9, "name") + " } } } }", nil, "QUERY_TOO_DEEP"},
	{"TooDeepThroughFragments", fragmentChain(20), nil, "QUERY_TOO_DEEP"},
	{"FragmentCycleUnderField", "{ categories(first: 1) { edges { node { ...F } } } } fragment F on Category { parent { ...F } }", nil, "GRAPHQL_VALIDATION_FAILED"},
	{"FragmentCycleViaAnother", "{ categories(first: 1) { edges { node { ...F } } } } fragment F on Category { parent { ...G } } fragment G on Category { children { ...F } }", nil, "GRAPHQL_VALIDATION_FAILED"},
	{"FragmentCycleAtRoot", "{ ...Q } fragment Q on Query { products(first: 1) { totalCount } ...Q }", nil, "GRAPHQL_VALIDATION_FAILED"},
	{"TooManyAliases", "{ products(first: 1) { edges { node { " + aliases(31, "name") + " } } } }", nil, "TOO_MANY_ALIASES"},
	{"TooManyRootFields", "{ " + aliases(21, `productBySlug(slug: "x") { id }`) + " }", nil, "TOO_MANY_ROOT_FIELDS"},
	{"TooManyDirectives", "{ products(first: 1) { totalCount @include(if: true) @skip(if: false) @include(if: true) @skip(if: false) @include(if: true) } }", nil, "TOO_MANY_DIRECTIVES"},
	{"TooManyTokens", "{ products(first: 1) { totalCount " + strings.Repeat("__typename ", limits.DefaultMaxTokens) + "} }", nil, "QUERY_TOO_LARGE"},
	{"TooCostly", "{ products(first: 100) { edges { node { reviews(first: 100) { edges { node { author { displayName } } } } } } } }", nil, "QUERY_TOO_COMPLEX"},
	{"TooCostlyThroughVariables", ProductsNested, map[string]any{"first": 10_000}, "QUERY_TOO_COMPLEX"},
	{"TooManyNodeIDs", "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", map[string]any{"ids": manyIDs(10_000)}, "QUERY_TOO_COMPLEX"},
}

func manyIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = relay.Encode(i + 1)
	}
	return ids
}

// Every limit refuses its document with its code before a single SQL statement runs; the
// answer still carries the request ID and the cost report.
func TestLimitsRefuseBeforeSQL(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			var counter *storetest.CountingDriver
			st := storetest.Open(t, kind, func(d dialect.Driver) dialect.Driver {
				counter = storetest.CountStatements(d)
				return counter
			})
			e := newLimitedEnv(t, st, server.Options{})
			for _, tt := range refusals {
				t.Run(tt.name, func(t *testing.T) {
					counter.Reset(true)
					res := serve(t, e.handler, gqlRequest(t, tt.query, tt.vars, ""))
					require.Equal(t, http.StatusOK, res.Status, res.Raw)
					require.Contains(t, res.codes(), tt.code, res.Raw)
					require.Zero(t, counter.Count(), "statements ran: %v", counter.Statements())
					require.NotEmpty(t, res.Errors[0].Extensions["requestId"])
					require.NotNil(t, res.Extensions.Cost)
					require.NotContains(t, res.Raw, "Did you mean")
				})
			}
			// The same shapes within the limits do run: the counter and the checks can tell.
			for name, q := range map[string]string{
				"DepthAtLimit":   "{ categories(first: 1) { edges { node { " + nested("parent", 8, "name") + " } } } }",
				"AliasesAtLimit": "{ products(first: 1) { edges { node { " + aliases(30, "name") + " } } } }",
				"PageOf100":      "{ products(first: 100) { edges { node { reviews(first: 10) { edges { node { author { displayName } } } } } } } }",
			} {
				t.Run(name, func(t *testing.T) {
					counter.Reset(false)
					res := serve(t, e.handler, gqlRequest(t, q, nil, ""))
					require.Empty(t, res.Errors, res.Raw)
					require.NotZero(t, counter.Count())
				})
			}
		})
	}
}

// The cost is reported on every response; the canonical benchmark query fits the default
// budget, and administrators get the larger one.
func TestCostReported(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		admin, _, err := e.tokens.Issue(e.fx.users[0].ID, e.fx.users[0].Role)
		require.NoError(t, err)
		costly := "{ products(first: 100) { edges { node { reviews(first: 100) { edges { node { author { displayName } } } } } } } }"
		for _, tt := range []struct {
			name, query, token string
			vars               map[string]any
			want               limits.CostReport
		}{
			// 1 + 50 × (node 1 + price 1 + category 1 + parent 1 + ratingSummary 1 + reviews (1 + 10 × (node 1 + author 1)))
			{"ProductsNested50", ProductsNested, "", map[string]any{"first": 50}, limits.CostReport{Requested: 1301, Budget: limits.DefaultMaxCost}},
			{"ProductsNested100", ProductsNested, "", map[string]any{"first": 100}, limits.CostReport{Requested: 2601, Budget: limits.DefaultMaxCost}},
			// No first: the default page size of 20 applies, and is what the cost counts.
			{"DefaultPageSize", "{ products { edges { node { name } } } }", "", nil, limits.CostReport{Requested: 21, Budget: limits.DefaultMaxCost}},
			{"ScalarsAndPageInfoAreFree", "{ products(first: 5) { totalCount pageInfo { hasNextPage } } }", "", nil, limits.CostReport{Requested: 1, Budget: limits.DefaultMaxCost}},
			{"ListByFirst", "{ topRatedProducts(first: 7, minRatings: 0) { product { name } } }", "", nil, limits.CostReport{Requested: 14, Budget: limits.DefaultMaxCost}},
			{"AdminBudget", costly, admin, nil, limits.CostReport{Requested: 20201, Budget: limits.DefaultMaxCostAdmin}},
			{"SyntaxError", "{ products(", "", nil, limits.CostReport{Requested: 0, Budget: limits.DefaultMaxCost}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				res := serve(t, e.handler, gqlRequest(t, tt.query, tt.vars, tt.token))
				require.NotNil(t, res.Extensions.Cost, res.Raw)
				require.Equal(t, tt.want, *res.Extensions.Cost)
				if tt.name != "SyntaxError" {
					require.Empty(t, res.Errors, res.Raw)
				}
			})
		}
	})
}

// Transport-level mistakes get the right HTTP status and a GraphQL-shaped error body.
func TestTransportErrors(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		post := func(contentType, body string) *http.Request {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
			req.Header.Set("Content-Type", contentType)
			return req
		}
		big := `{"query": "{ products(first: 1) { totalCount } }", "variables": {"pad": "` + strings.Repeat("x", limits.DefaultMaxBodyBytes) + `"}}`
		for _, tt := range []struct {
			name   string
			req    *http.Request
			status int
			code   string
		}{
			{"BodyTooLarge", post("application/json", big), http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE"},
			{"MalformedJSON", post("application/json", `{"query": "{ products { totalCount } }"`), http.StatusBadRequest, "BAD_REQUEST"},
			{"NotAnObject", post("application/json", `"{ products { totalCount } }"`), http.StatusBadRequest, "BAD_REQUEST"},
			{"Batched", post("application/json", ` [{"query": "{ products { totalCount } }"}]`), http.StatusBadRequest, "BAD_REQUEST"},
			{"TextPlain", post("text/plain", `{"query": "{ products { totalCount } }"}`), http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
			{"FormPost", post("application/x-www-form-urlencoded", `query=%7B+products+%7B+totalCount+%7D+%7D`), http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
			{"NoContentType", post("", `{"query": "{ products { totalCount } }"}`), http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
			{"Put", httptest.NewRequest(http.MethodPut, "/graphql", strings.NewReader(`{}`)), http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
			{"MutationOverGet", httptest.NewRequest(http.MethodGet, "/graphql?query="+urlQuery(`mutation { deleteRating(productID: "x") }`), nil), http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				tt.req.Header.Set("X-Request-Id", "req-"+tt.name)
				res := serve(t, e.handler, tt.req)
				require.Equal(t, tt.status, res.Status, res.Raw)
				require.NotEmpty(t, res.Errors, res.Raw)
				require.Equal(t, tt.code, res.Errors[0].Code(), res.Raw)
				require.Equal(t, "req-"+tt.name, res.Errors[0].Extensions["requestId"], res.Raw)
				require.Less(t, len(res.Raw), 2000, "the error must not echo the request")
			})
		}
	})
}

func urlQuery(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, " ", "+"), `"`, "%22")
}

// A panicking resolver answers INTERNAL_SERVER_ERROR with the request ID; the log has the
// stack under the same request ID.
func TestPanicReportsRequestID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var logs bytes.Buffer
		log := slog.New(reqlog.Handler(slog.NewJSONHandler(&logs, nil)))
		e := newLimitedEnv(t, st, server.Options{Log: log})
		e.resolver.Finder = nil // quiz(slug:) now dereferences a nil domain service
		req := gqlRequest(t, `{ quiz(slug: "any") { id } }`, nil, "")
		req.Header.Set("X-Request-Id", "panic-req-1")
		res := serve(t, e.handler, req)
		require.Less(t, res.Status, 500)
		require.Len(t, res.Errors, 1, res.Raw)
		require.Equal(t, "INTERNAL_SERVER_ERROR", res.Errors[0].Code())
		require.Equal(t, "internal error", res.Errors[0].Message)
		require.Equal(t, "panic-req-1", res.Errors[0].Extensions["requestId"])
		require.NotContains(t, res.Raw, "goroutine")

		var sawPanic, sawAccess bool
		for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var rec map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
			require.Equal(t, "panic-req-1", rec["request_id"], "every line of the request carries its ID: %s", line)
			if rec["msg"] == "resolver panic" {
				sawPanic = true
				require.Contains(t, rec["stack"], "goroutine")
			}
			sawAccess = sawAccess || rec["msg"] == "request"
		}
		require.True(t, sawPanic && sawAccess, logs.String())
	})
}

// A request refused at the transport still counts its error in the access log, as in the
// metrics: both read the codes the request recorded.
func TestAccessLogCountsTransportRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var logs bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&logs, nil))
		e := newLimitedEnv(t, st, server.Options{Log: log})
		req := gqlRequest(t, "{ products(first: 1) { totalCount } }",
			map[string]any{"pad": strings.Repeat("x", limits.DefaultMaxBodyBytes)}, "")
		res := serve(t, e.handler, req)
		require.Equal(t, http.StatusRequestEntityTooLarge, res.Status, res.Raw)
		access := logRecord(t, logs.String(), "request")
		require.NotNil(t, access, logs.String())
		require.EqualValues(t, 1, access["errors"], logs.String())
	})
}
