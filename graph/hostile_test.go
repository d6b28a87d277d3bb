package graph_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/relay"
)

// fastAnswer bounds every hostile request: generous for a shared 2-core machine, far below what
// any of them would take if a limit were missing.
const fastAnswer = 3 * time.Second

// fragmentLaughs is the "billion laughs" of GraphQL: each fragment spreads the next twice, so
// the document expands to 2^n selections while staying a few lines long.
func fragmentLaughs(n int) string {
	var b strings.Builder
	b.WriteString("{ ...L0 }\n")
	for i := range n {
		fmt.Fprintf(&b, "fragment L%d on Query { ...L%d ...L%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment L%d on Query { products(first: 1) { totalCount } }\n", n)
	return b.String()
}

type hostile struct {
	name  string
	req   func(t testing.TB, e *env) *http.Request
	codes []string // acceptable codes of the first error; "" means no error
}

func doc(query string, vars map[string]any) func(testing.TB, *env) *http.Request {
	return func(t testing.TB, _ *env) *http.Request { return gqlRequest(t, query, vars, "") }
}

var hostileRequests = []hostile{
	{"DeepNesting", doc("{ categories(first: 1) { edges { node { "+nested("parent", 200, "name")+" } } } }", nil), []string{"QUERY_TOO_DEEP"}},
	{"DeeperThanTokens", doc("{ categories(first: 1) { edges { node { "+nested("parent", 4000, "name")+" } } } }", nil), []string{"QUERY_TOO_DEEP", "QUERY_TOO_LARGE"}},
	{"DeepFragmentChain", doc(fragmentChain(200), nil), []string{"QUERY_TOO_DEEP"}},
	{"SelfReferencingFragmentUnderField", doc("{ categories(first: 1) { edges { node { ...F } } } } fragment F on Category { name parent { ...F } }", nil), []string{"GRAPHQL_VALIDATION_FAILED"}},
	{"FragmentLaughs", doc(fragmentLaughs(40), nil), []string{"QUERY_TOO_COMPLEX"}},
	{"AliasBomb", doc("{ products(first: 1) { edges { node { "+aliases(3000, "name")+" } } } }", nil), []string{"TOO_MANY_ALIASES"}},
	{"SameAliasBomb", doc("{ products(first: 1) { edges { node { "+strings.Repeat("x: name ", 3000)+" } } } }", nil), []string{"TOO_MANY_ALIASES"}},
	{"DuplicateFieldBomb", doc("{ products(first: 1) { edges { node { "+strings.Repeat("name ", 3000)+" } } } }", nil), []string{"TOO_MANY_FIELDS"}},
	{"RootFieldBomb", doc("{ "+aliases(2000, "__typename")+" }", nil), []string{"TOO_MANY_ALIASES", "TOO_MANY_ROOT_FIELDS"}},
	{"DirectiveBomb", doc("{ products(first: 1) { totalCount "+strings.Repeat("@include(if: true) ", 1000)+" } }", nil), []string{"TOO_MANY_DIRECTIVES", "GRAPHQL_VALIDATION_FAILED"}},
	{"HugeIDList", doc("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", map[string]any{"ids": manyIDs(10_000)}), []string{"QUERY_TOO_COMPLEX"}},
	{"IDListOverCap", doc("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", map[string]any{"ids": manyIDs(graph.MaxPageSize + 1)}), []string{"BAD_USER_INPUT"}},
	{"HugePage", doc("{ products(first: 2147483647) { edges { node { name } } } }", nil), []string{"QUERY_TOO_COMPLEX"}},
	{"NegativePage", doc("{ products(first: -5) { edges { node { name } } } }", nil), []string{"BAD_USER_INPUT"}},
	{"IntOverflow", doc("{ products(first: 99999999999) { totalCount } }", nil), []string{"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}},
	{"OversizedBody", func(t testing.TB, _ *env) *http.Request {
		return gqlRequest(t, "{ products(first: 1) { totalCount } }", map[string]any{"pad": strings.Repeat("ß", limits.DefaultMaxBodyBytes/2)}, "")
	}, []string{"PAYLOAD_TOO_LARGE"}},
	{"NULInQueryText", doc("{ products(first: 1) { totalCount } }\x00", nil), []string{"GRAPHQL_PARSE_FAILED"}},
	{"NULInSearch", doc("query($q: String!) { search(query: $q, first: 3) { edges { node { name } } } }", map[string]any{"q": "tent\x00; DROP TABLE products"}), []string{"BAD_USER_INPUT"}},
	{"NULInSlug", doc(`{ productBySlug(slug: "item-01\u0000") { name } }`, nil), []string{"BAD_USER_INPUT"}},
	{"NULInWhere", doc("query($s: String) { products(where: {nameContains: $s}) { totalCount } }", map[string]any{"s": "\x00"}), []string{"BAD_USER_INPUT"}},
	{"UnicodeEverywhere", doc("query($q: String!) { search(query: $q, first: 3) { edges { node { name } } } productBySlug(slug: \"𝄞☃\\uFFFF\\uD83D\\uDE00\") { name } }", map[string]any{"q": "☃ 𝄞 \uFFFD \u202e ﷽ 👩‍👩‍👧"}), []string{"", "BAD_USER_INPUT", "NOT_FOUND"}},
	{"InvalidUTF8InVariables", func(t testing.TB, _ *env) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader("{\"query\": \"query($q: String!) { search(query: $q) { totalCount } }\", \"variables\": {\"q\": \"\xff\xfe\"}}"))
		req.Header.Set("Content-Type", "application/json")
		return req
	}, []string{"", "BAD_USER_INPUT"}},
	{"ForgedCursorGarbage", doc(`{ products(first: 2, after: "not-a-cursor") { totalCount } }`, nil), []string{"BAD_USER_INPUT"}},
	{"ForgedCursorMsgpack", doc(`query($c: Cursor) { products(first: 2, after: $c) { edges { node { name } } } }`, map[string]any{"c": base64.StdEncoding.EncodeToString([]byte("\x82\xa1i\xcf\xff\xff\xff\xff\xff\xff\xff\xff\xa1v\xa5' OR 1"))}), []string{"BAD_USER_INPUT"}},
	{"CursorOfAnotherOrdering", func(t testing.TB, e *env) *http.Request {
		// A cursor minted for ID order, replayed under a two-field ordering.
		res := serve(t, e.handler, gqlRequest(t, "{ products(first: 1) { pageInfo { endCursor } } }", nil, ""))
		var d struct {
			Products struct{ PageInfo struct{ EndCursor string } }
		}
		require.NoError(t, json.Unmarshal(res.Data, &d))
		return gqlRequest(t, "query($c: Cursor) { products(first: 2, after: $c, orderBy: [{field: PRICE}, {field: NAME}]) { totalCount } }",
			map[string]any{"c": d.Products.PageInfo.EndCursor}, "")
	}, []string{"BAD_USER_INPUT"}},
	{"ForgedIDGarbage", doc(`{ product(id: "' OR 1=1 --") { name } }`, nil), []string{"BAD_USER_INPUT"}},
	{"ForgedIDOutOfRange", doc(`query($id: ID!) { product(id: $id) { name } }`, map[string]any{"id": relay.Encode(1 << 62)}), []string{"", "NOT_FOUND", "BAD_USER_INPUT"}},
	{"ForgedIDNegative", doc(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": base64.RawURLEncoding.EncodeToString([]byte("v1:-1"))}), []string{"BAD_USER_INPUT"}},
	{"IDOfAnotherType", func(t testing.TB, e *env) *http.Request {
		return gqlRequest(t, `query($id: ID!) { product(id: $id) { name } }`, map[string]any{"id": relay.Encode(e.fx.users[1].ID)}, "")
	}, []string{"", "NOT_FOUND", "BAD_USER_INPUT"}},
	{"VariablesNotAnObject", func(t testing.TB, _ *env) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query": "{ products { totalCount } }", "variables": [1, 2]}`))
		req.Header.Set("Content-Type", "application/json")
		return req
	}, []string{"BAD_REQUEST"}},
	{"MutationSmuggledInGet", func(t testing.TB, e *env) *http.Request {
		return httptest.NewRequest(http.MethodGet, "/graphql?query="+urlQuery(`mutation { deleteRating(productID: "x") }`), nil)
	}, []string{"METHOD_NOT_ALLOWED"}},
}

// Hostile requests get a client error with the right code, quickly, and leave the database as
// it was (snapshot is mutation_test's).
func TestHostileRequests(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		before := snapshot(t, e.st.Client)
		for _, tt := range hostileRequests {
			t.Run(tt.name, func(t *testing.T) {
				req := tt.req(t, e)
				start := time.Now()
				res := serve(t, e.handler, req)
				require.Less(t, time.Since(start), fastAnswer)
				requireClientAnswer(t, res, tt.codes)
				require.Equal(t, before, snapshot(t, e.st.Client), "the database changed")
			})
		}
	})
}

func requireClientAnswer(t *testing.T, res reply, codes []string) {
	t.Helper()
	require.Less(t, res.Status, 500, res.Raw)
	// Root fields resolve concurrently, so errors come in any order: each must be acceptable.
	if len(res.Errors) == 0 {
		require.Contains(t, codes, "", "%.600s", res.Raw)
	}
	for _, got := range res.codes() {
		require.Contains(t, codes, got, "%.600s", res.Raw)
	}
	require.NotContains(t, res.codes(), "INTERNAL_SERVER_ERROR", "%.600s", res.Raw)
}

// sqlMetacharacters are what an injection would try in a string argument.
var sqlMetacharacters = []string{`' OR '1'='1' --`, `"; DROP TABLE products; --`, `%_\' UNION SELECT password_hash FROM users --`}

// Every String argument of every query field, and every String field of their input objects
// (the where filters), takes SQL metacharacters as plain data.
func TestSQLMetacharactersInEveryStringArgument(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	docs := stringArgumentDocuments(schema)
	require.Greater(t, len(docs), 100, "the schema walk found too few arguments")
	eachStore(t, func(t *testing.T, e *env) {
		before := snapshot(t, e.st.Client)
		for _, d := range docs {
			for _, v := range sqlMetacharacters {
				start := time.Now()
				res := serve(t, e.handler, gqlRequest(t, d, map[string]any{"v": v}, ""))
				require.Less(t, time.Since(start), fastAnswer, d)
				if len(res.Errors) > 0 {
					require.Contains(t, []string{"BAD_USER_INPUT", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"}, res.Errors[0].Code(), "%s\n%.600s", d, res.Raw)
				}
				require.Less(t, res.Status, 500, res.Raw)
			}
		}
		require.Equal(t, before, snapshot(t, e.st.Client), "the database changed")
	})
}

// stringArgumentDocuments returns one document per String argument of the query root and per
// String field of an input object argument, with the value as variable $v. Fields that need
// other arguments of other types are left out, and so are mutations other than login, which
// may legitimately write.
func stringArgumentDocuments(s *ast.Schema) []string {
	var docs []string
	fields := append(ast.FieldList{}, s.Query.Fields...)
	fields = append(fields, s.Mutation.Fields.ForName("login"))
	for _, f := range fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		op := "query"
		if f == s.Mutation.Fields.ForName("login") {
			op = "mutation"
		}
		selection := ""
		if def := s.Types[f.Type.Name()]; def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.Union {
			selection = "{ __typename }"
		}
		for _, a := range f.Arguments {
			others := requiredOthers(f, a.Name)
			if others == nil {
				continue
			}
			switch def := s.Types[a.Type.Name()]; {
			case a.Type.Name() == "String":
				docs = append(docs, fmt.Sprintf("%s($v: %s) { %s(%s: $v%s) %s }", op, a.Type.String(), f.Name, a.Name, *others, selection))
			case def.Kind == ast.InputObject:
				for _, in := range def.Fields {
					if in.Type.Name() == "String" && in.Type.Elem == nil {
						docs = append(docs, fmt.Sprintf("%s($v: String) { %s(%s: {%s: $v}%s) %s }", op, f.Name, a.Name, in.Name, *others, selection))
					}
				}
			}
		}
	}
	slices.Sort(docs)
	return slices.Compact(docs)
}

// requiredOthers returns literal values for f's other required arguments, or nil when one has
// a type this generator does not fill in.
func requiredOthers(f *ast.FieldDefinition, except string) *string {
	out := ""
	for _, a := range f.Arguments {
		if a.Name == except || !a.Type.NonNull || a.DefaultValue != nil {
			continue
		}
		if a.Type.Name() != "String" || a.Type.Elem != nil {
			return nil
		}
		out += fmt.Sprintf(", %s: \"x\"", a.Name)
	}
	return &out
}
