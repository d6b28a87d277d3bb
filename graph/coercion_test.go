package graph_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/relay"
)

// TestIntAndFloatRefuseStrings pins the spec's input coercion: Int and Float accept numbers
// only, so a string is refused wherever the schema says Int or Float — in variables at any
// depth, in literals, on hand-written and entgql-generated arguments — before anything is
// priced or run.
func TestIntAndFloatRefuseStrings(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		p := relay.Encode(e.fx.products[1].ID)
		bob := e.asUser(t, e.fx.users[1])
		admin := e.asUser(t, e.fx.users[0])
		weight := func(w any) map[string]any {
			return map[string]any{"title": "Q", "slug": "q", "questions": []any{
				map[string]any{"prompt": "P", "kind": "SINGLE", "options": []any{
					map[string]any{"label": "L", "weights": []any{map[string]any{"categoryID": relay.Encode(e.fx.outdoor.ID), "weight": w}}},
					map[string]any{"label": "M"},
				}},
			}}
		}
		const createQuiz = `mutation($in: QuizInput!) { createQuiz(input: $in) { id } }`
		const rate = `mutation($p: ID!, $s: Int!) { rateProduct(productID: $p, stars: $s) { stars } }`
		for _, tc := range []struct {
			name  string
			query string
			vars  map[string]any
		}{
			{"ErrStarsString", rate, map[string]any{"p": p, "s": "5"}},
			{"ErrStarsSignedString", rate, map[string]any{"p": p, "s": "+4"}},
			{"ErrFirstString", `query($n: Int) { products(first: $n) { totalCount } }`, map[string]any{"n": "2"}},
			{"ErrFirstStringInList", `query($n: [Int!]) { products(first: 1) { totalCount } }`, map[string]any{"n": []any{1, "2"}}},
			{"ErrNestedIntString", `query($w: ProductWhereInput) { products(first: 1, where: $w) { totalCount } }`,
				map[string]any{"w": map[string]any{"priceGTE": "1000"}}},
			{"ErrDeeplyNestedIntString", `query($w: ProductWhereInput) { products(first: 1, where: $w) { totalCount } }`,
				map[string]any{"w": map[string]any{"or": []any{map[string]any{"priceLT": "1000"}}}}},
			{"ErrFirstBeyondInt32", `query($n: Int) { products(first: $n) { totalCount } }`, map[string]any{"n": int64(1) << 31}},
			{"ErrFirstFraction", `query($n: Int) { products(first: $n) { totalCount } }`, map[string]any{"n": 2.5}},
			{"ErrFirstLiteralString", `{ products(first: "2") { totalCount } }`, nil},
			{"ErrFloatString", createQuiz, map[string]any{"in": weight("1.5")}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := bob
				if strings.Contains(tc.query, "createQuiz") {
					c = admin
				}
				res := c.Do(t, tc.query, tc.vars)
				require.Len(t, res.Errors, 1, "%s", res.Data)
				requireCode(t, res.Errors[0], "GRAPHQL_VALIDATION_FAILED")
				require.True(t, len(res.Data) == 0 || string(res.Data) == "null", "nothing runs: %s", res.Data)
			})
		}
		t.Run("NumbersStillWork", func(t *testing.T) {
			var out struct{ Products conn }
			bob.MustData(t, &out, `query($n: Int, $w: ProductWhereInput) { products(first: $n, where: $w) { totalCount edges { node { id } } } }`,
				map[string]any{"n": 2, "w": map[string]any{"priceGTE": 1000}})
			require.Len(t, out.Products.Edges, 2)
			admin.MustData(t, &struct{}{}, createQuiz, map[string]any{"in": weight(1.5)})
		})
		t.Run("RefusedRatingIsNotStored", func(t *testing.T) {
			var out struct{ Product struct{ MyRating *int } }
			bob.MustData(t, &out, `query($p: ID!) { product(id: $p) { myRating } }`, map[string]any{"p": p})
			require.Nil(t, out.Product.MyRating)
		})
	})
}

// TestStringPageSizeIsNotUnderpriced replays the attack of issue 13: five aliases of two nested
// connections sized by a variable. As a number the request is over budget; as a string it was
// priced at the default page size and then run at its value. Now the string is refused before
// pricing, and the cost report says nothing was priced.
func TestStringPageSizeIsNotUnderpriced(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		var b strings.Builder
		b.WriteString("query($a: Int) {")
		for _, alias := range []string{"a", "b", "c", "d", "e"} {
			b.WriteString(" " + alias + ": reviews(first: $a) { edges { node { title author { reviews(first: $a) { edges { node { title body } } } } } } }")
		}
		b.WriteString(" }")
		for _, tc := range []struct {
			name string
			a    any
			code string
		}{
			{"Number", 100, "QUERY_TOO_COMPLEX"},
			{"String", "100", "GRAPHQL_VALIDATION_FAILED"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := e.gql.Do(t, b.String(), map[string]any{"a": tc.a})
				require.Len(t, res.Errors, 1, "%s", res.Data)
				requireCode(t, res.Errors[0], tc.code)
				require.True(t, len(res.Data) == 0 || string(res.Data) == "null", "nothing runs: %s", res.Data)
			})
		}
		t.Run("PricedAtTheValuesThatRun", func(t *testing.T) {
			number := serve(t, e.handler, gqlRequest(t, b.String(), map[string]any{"a": 100}, ""))
			require.Greater(t, number.Extensions.Cost.Requested, number.Extensions.Cost.Budget)
			// The string never reaches the cost model: it is refused before pricing.
			str := serve(t, e.handler, gqlRequest(t, b.String(), map[string]any{"a": "100"}, ""))
			require.Equal(t, []string{"GRAPHQL_VALIDATION_FAILED"}, str.codes())
			require.Zero(t, str.Extensions.Cost.Requested)
		})
	})
}
