package limits

import (
	"context"
	"math"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/internal/auth"
)

// sdl has the shapes the cost model prices: a connection with edges, node and pageInfo, a
// plain object, a list sized by ids, a list with a known bound and one without.
const sdl = `
type Query {
  products(first: Int, last: Int): ProductConnection!
  product(id: ID!): Product
  nodes(ids: [ID!]!): [Product]!
  ratingTrend: [Bucket!]!
  tags: [Tag!]!
}
type ProductConnection { edges: [ProductEdge] pageInfo: PageInfo! totalCount: Int! }
type ProductEdge { node: Product cursor: String! }
type PageInfo { hasNextPage: Boolean! endCursor: String }
type Product { id: ID! name: String! category: Category reviews(first: Int): ReviewConnection! }
type Category { id: ID! name: String! }
type ReviewConnection { edges: [ReviewEdge] pageInfo: PageInfo! totalCount: Int! }
type ReviewEdge { node: Review }
type Review { id: ID! body: String! }
type Bucket { n: Int! }
type Tag { name: String! }
`

// schemaOnly is an ExecutableSchema that only knows its types, which is all pricing reads.
type schemaOnly struct{ s *ast.Schema }

func (e schemaOnly) Schema() *ast.Schema { return e.s }
func (e schemaOnly) Complexity(context.Context, string, string, int, map[string]any) (int, bool) {
	return 0, false
}
func (e schemaOnly) Exec(context.Context) graphql.ResponseHandler { return nil }

func TestCostPricesDocumentsByTheObjectsTheyMayLoad(t *testing.T) {
	es := schemaOnly{gqlparser.MustLoadSchema(&ast.Source{Input: sdl})}
	priced := Cost(es)
	for _, tc := range []struct {
		name string
		doc  string
		vars map[string]any
		want int
	}{
		{"scalars are free", `{ product(id: 1) { id name } }`, nil, 1},
		{"an object field costs one plus its selections", `{ product(id: 1) { name category { name } } }`, nil, 2},
		{"a connection costs first times an edge", `{ products(first: 5) { edges { node { name category { name } } } } }`, nil, 1 + 5*2},
		{"last prices like first", `{ products(last: 3) { edges { node { id } } } }`, nil, 1 + 3*1},
		{"no size means the default page", `{ products { edges { node { id } } } }`, nil, 1 + DefaultPageSize},
		{"pageInfo and totalCount come with the page", `{ products(first: 5) { totalCount pageInfo { hasNextPage } } }`, nil, 1},
		{"sizes from variables count", `query($n: Int) { products(first: $n) { edges { node { id } } } }`, map[string]any{"n": 7}, 1 + 7},
		{"nested connections multiply", `{ products(first: 10) { edges { node { reviews(first: 4) { edges { node { body } } } } } } }`, nil, 1 + 10*(1+1+4*1)},
		{"a list of ids costs one per id", `{ nodes(ids: [1, 2, 3]) { name } }`, nil, 3},
		{"a known list uses its bound", `{ ratingTrend { n } }`, nil, ListSizes["Query.ratingTrend"]},
		{"other lists use the default size", `{ tags { name } }`, nil, DefaultListSize},
		{"negative sizes cost nothing", `{ products(first: -1) { edges { node { id } } } }`, nil, 1},
		{"huge sizes saturate instead of overflowing", `{ products(first: 2147483647) { edges { node { reviews(first: 2147483647) { edges { node { id } } } } } } }`, nil, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQueryWithRules(es.s, tc.doc, nil)
			require.Empty(t, errs)
			got := complexity.Calculate(context.Background(), priced, doc.Operations[0], tc.vars, costOptions(es)...)
			if tc.want == -1 {
				// The walker's own sums may halve math.MaxInt; what matters is no wrap-around.
				require.Greater(t, got, 1<<60)
				return
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestBudgetForGivesAdminsTheirOwnBudget(t *testing.T) {
	admin := auth.NewContext(context.Background(), &auth.Viewer{UserID: 1, Role: user.RoleADMIN})
	shopper := auth.NewContext(context.Background(), &auth.Viewer{UserID: 2, Role: user.RoleUSER})
	for _, tc := range []struct {
		name   string
		limits Limits
		ctx    context.Context
		want   int
	}{
		{"anonymous gets MaxCost", Limits{MaxCost: 100, MaxCostAdmin: 1000}, context.Background(), 100},
		{"a shopper gets MaxCost", Limits{MaxCost: 100, MaxCostAdmin: 1000}, shopper, 100},
		{"an admin gets MaxCostAdmin", Limits{MaxCost: 100, MaxCostAdmin: 1000}, admin, 1000},
		{"an admin without MaxCostAdmin gets MaxCost", Limits{MaxCost: 100}, admin, 100},
		{"no MaxCost means unlimited", Limits{}, shopper, math.MaxInt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.limits.BudgetFor(tc.ctx))
		})
	}
}
