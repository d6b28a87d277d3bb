package graph_test

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/product"
	"github.com/vitrinehq/vitrine/internal/relay"
)

const productsPage = `query($first: Int, $after: Cursor, $last: Int, $before: Cursor, $orderBy: [ProductOrder!], $where: ProductWhereInput) {
  products(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, where: $where) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name sku stock createdAt updatedAt price { amount currencyCode minorUnits } } }
  }
}`

// walk pages through products in pages of size n, forwards or backwards, and returns the IDs
// in the connection's order.
func walk(t *testing.T, e *env, orderBy any, where any, n int, forward bool) []string {
	t.Helper()
	var ids []string
	var cursor *string
	for pages := 0; ; pages++ {
		require.Less(t, pages, 100, "pagination does not terminate")
		vars := map[string]any{"orderBy": orderBy, "where": where}
		if forward {
			vars["first"], vars["after"] = n, cursor
		} else {
			vars["last"], vars["before"] = n, cursor
		}
		var out struct{ Products conn }
		e.gql.MustData(t, &out, productsPage, vars)
		page := out.Products.field("id")
		var got []string
		for _, id := range page {
			got = append(got, id.(string))
		}
		require.LessOrEqual(t, len(got), n)
		if forward {
			ids = append(ids, got...)
			if !out.Products.PageInfo.HasNextPage {
				return ids
			}
			cursor = out.Products.PageInfo.EndCursor
		} else {
			ids = append(got, ids...)
			if !out.Products.PageInfo.HasPreviousPage {
				return ids
			}
			cursor = out.Products.PageInfo.StartCursor
		}
	}
}

func productIDs(ps []*ent.Product) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = relay.Encode(p.ID)
	}
	return out
}

func TestProductPagination(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tests := []struct {
			name    string
			orderBy any
			want    []product.OrderOption
		}{
			{"ByID", nil, []product.OrderOption{ent.Asc(product.FieldID)}},
			{"ByPriceAsc", []map[string]any{{"field": "PRICE"}}, []product.OrderOption{ent.Asc(product.FieldPrice), ent.Asc(product.FieldID)}},
			{"ByPriceDescThenName", []map[string]any{{"field": "PRICE", "direction": "DESC"}, {"field": "NAME"}},
				[]product.OrderOption{ent.Desc(product.FieldPrice), ent.Asc(product.FieldName), ent.Asc(product.FieldID)}},
			{"ByNameDesc", []map[string]any{{"field": "NAME", "direction": "DESC"}}, []product.OrderOption{ent.Desc(product.FieldName), ent.Asc(product.FieldID)}},
			{"BySKU", []map[string]any{{"field": "SKU"}}, []product.OrderOption{ent.Asc(product.FieldSku), ent.Asc(product.FieldID)}},
			{"ByStock", []map[string]any{{"field": "STOCK"}}, []product.OrderOption{ent.Asc(product.FieldStock), ent.Asc(product.FieldID)}},
			{"ByCreatedAtDesc", []map[string]any{{"field": "CREATED_AT", "direction": "DESC"}}, []product.OrderOption{ent.Desc(product.FieldCreatedAt), ent.Asc(product.FieldID)}},
			{"ByUpdatedAt", []map[string]any{{"field": "UPDATED_AT"}}, []product.OrderOption{ent.Asc(product.FieldUpdatedAt), ent.Asc(product.FieldID)}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				want := productIDs(e.st.Client.Product.Query().Order(tt.want...).AllX(ctx))
				for _, size := range []int{1, 7, 30, 100} {
					require.Equal(t, want, walk(t, e, tt.orderBy, nil, size, true), "forward, page size %d", size)
				}
				// Backwards paging may break ties by ID in reverse; the set and the order of
				// distinct keys must still match, and with unique keys the order is exact.
				back := walk(t, e, tt.orderBy, nil, 7, false)
				require.ElementsMatch(t, want, back, "backward paging has gaps or duplicates")
				if tt.name == "ByID" || tt.name == "BySKU" || tt.name == "ByCreatedAtDesc" || tt.name == "ByUpdatedAt" {
					require.Equal(t, want, back)
				}
			})
		}
	})
}

func TestProductFilters(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		fx := e.fx
		tests := []struct {
			name  string
			where map[string]any
			want  []*ent.Product
		}{
			{"PriceRange", map[string]any{"priceGTE": 1000, "priceLTE": 1500},
				e.st.Client.Product.Query().Where(product.PriceGTE(1000), product.PriceLTE(1500)).Order(ent.Asc("id")).AllX(ctx)},
			{"Category", map[string]any{"categoryID": relay.Encode(fx.tents.ID)},
				fx.tents.QueryProducts().Order(ent.Asc("id")).AllX(ctx)},
			{"CategoryBySlugAndPrice", map[string]any{"hasCategoryWith": []map[string]any{{"slug": "kitchen"}}, "priceLT": 1000},
				fx.kitchen.QueryProducts().Where(product.PriceLT(1000)).Order(ent.Asc("id")).AllX(ctx)},
			{"NameContainsFold", map[string]any{"nameContainsFold": "TENT"},
				e.st.Client.Product.Query().Where(product.NameContainsFold("tent")).Order(ent.Asc("id")).AllX(ctx)},
			{"OutOfStockOr", map[string]any{"or": []map[string]any{{"stock": 0}, {"sku": "SKU-029"}}},
				e.st.Client.Product.Query().Where(product.Or(product.Stock(0), product.Sku("SKU-029"))).Order(ent.Asc("id")).AllX(ctx)},
			{"NoMatch", map[string]any{"priceGT": 1_000_000}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				want := productIDs(tt.want)
				if want == nil {
					want = []string{}
				}
				got := walk(t, e, nil, tt.where, 4, true)
				if got == nil {
					got = []string{}
				}
				require.Equal(t, want, got)
				if tt.name != "NoMatch" {
					require.NotEmpty(t, got, "fixture should make this filter match something")
				}
			})
		}
	})
}

func TestMoney(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		p := e.st.Client.Product.Create().SetSku("JPY-1").SetName("Tea").SetSlug("tea").
			SetPrice(1999).SetCurrency("JPY").SetCategory(e.fx.kitchen).SaveX(ctx)
		var out struct {
			A, B struct {
				Price struct {
					Amount       string
					CurrencyCode string
					MinorUnits   int
				}
			}
		}
		e.gql.MustData(t, &out, `query($a: ID!, $b: ID!) {
			a: product(id: $a) { price { amount currencyCode minorUnits } }
			b: product(id: $b) { price { amount currencyCode minorUnits } } }`,
			map[string]any{"a": relay.Encode(e.fx.products[1].ID), "b": relay.Encode(p.ID)})
		require.Equal(t, "7.50", out.A.Price.Amount)
		require.Equal(t, 750, out.A.Price.MinorUnits)
		require.Equal(t, "USD", out.A.Price.CurrencyCode)
		require.Equal(t, "1999", out.B.Price.Amount)
		require.Equal(t, "JPY", out.B.Price.CurrencyCode)
	})
}

func TestLookups(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		fx := e.fx
		var out struct {
			ByID, BySlug struct{ ID, Name string }
			Category     struct {
				Name     string
				Parent   struct{ Slug string }
				Children []struct{ Slug string }
			}
		}
		e.gql.MustData(t, &out, `query($id: ID!) {
			byID: product(id: $id) { id name }
			bySlug: productBySlug(slug: "item-05") { id name }
			category(slug: "camping") { name parent { slug } children { slug } } }`,
			map[string]any{"id": relay.Encode(fx.products[5].ID)})
		require.Equal(t, "Alpine Tent", out.ByID.Name)
		require.Equal(t, out.ByID, out.BySlug)
		require.Equal(t, "Camping", out.Category.Name)
		require.Equal(t, "outdoor", out.Category.Parent.Slug)
		require.Len(t, out.Category.Children, 1)
		require.Equal(t, "tents", out.Category.Children[0].Slug)
	})
}

func TestCategoryProducts(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		fx := e.fx
		query := `query($slug: String!, $sub: Boolean!) { category(slug: $slug) {
			products(first: 100, includeSubcategories: $sub) { totalCount edges { node { id createdAt } } } } }`
		tests := []struct {
			slug string
			sub  bool
			cats []*ent.Category
		}{
			{"outdoor", false, []*ent.Category{fx.outdoor}},
			{"outdoor", true, []*ent.Category{fx.outdoor, fx.camping, fx.tents}},
			{"camping", true, []*ent.Category{fx.camping, fx.tents}},
			{"tents", true, []*ent.Category{fx.tents}},
			{"kitchen", true, []*ent.Category{fx.kitchen}},
		}
		for _, tt := range tests {
			var want []*ent.Product
			for _, c := range tt.cats {
				want = append(want, c.QueryProducts().AllX(ctx)...)
			}
			// Default order: newest first.
			sort.Slice(want, func(i, j int) bool { return want[i].CreatedAt.After(want[j].CreatedAt) })
			var out struct{ Category struct{ Products conn } }
			e.gql.MustData(t, &out, query, map[string]any{"slug": tt.slug, "sub": tt.sub})
			got := out.Category.Products
			require.Equal(t, len(want), got.TotalCount, "%s sub=%v", tt.slug, tt.sub)
			var gotIDs []string
			for _, id := range got.field("id") {
				gotIDs = append(gotIDs, id.(string))
			}
			require.Equal(t, productIDs(want), gotIDs, "%s sub=%v", tt.slug, tt.sub)
		}
	})
}

func TestReviewsNewestFirst(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		fx := e.fx
		var out struct {
			Product struct {
				Reviews struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							Title  string
							Author struct{ DisplayName string }
						}
					}
				}
			}
			User struct {
				Reviews struct{ TotalCount int }
			}
		}
		e.gql.MustData(t, &out, `query($p: ID!, $u: ID!) {
			product(id: $p) { reviews(first: 2) { totalCount edges { node { title author { displayName } } } } }
			user: node(id: $u) { ... on User { reviews { totalCount } } } }`,
			map[string]any{"p": relay.Encode(fx.products[0].ID), "u": relay.Encode(fx.users[1].ID)})
		r := out.Product.Reviews
		require.Equal(t, 3, r.TotalCount)
		require.Len(t, r.Edges, 2)
		require.Equal(t, "Review 2", r.Edges[0].Node.Title)
		require.Equal(t, "User 2", r.Edges[0].Node.Author.DisplayName)
		require.Equal(t, "Review 1", r.Edges[1].Node.Title)
		require.Equal(t, 1, out.User.Reviews.TotalCount)
	})
}

func TestNodeRoundTrip(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		fx := e.fx
		objects := map[string]int{
			"Category": fx.tents.ID,
			"Product":  fx.products[7].ID,
			"User":     fx.users[2].ID,
			"Review":   fx.reviews[1].ID,
			"Rating":   fx.ratings[0].ID,
		}
		var ids []string
		for typ, id := range objects {
			var out struct{ Node struct{ Typename, ID string } }
			e.gql.MustData(t, &out, `query($id: ID!) { node(id: $id) { typename: __typename id } }`,
				map[string]any{"id": relay.Encode(id)})
			require.Equal(t, typ, out.Node.Typename)
			require.Equal(t, relay.Encode(id), out.Node.ID)
			ids = append(ids, out.Node.ID)
		}
		slices.Sort(ids)
		var out struct{ Nodes []struct{ ID string } }
		e.gql.MustData(t, &out, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids})
		require.Len(t, out.Nodes, len(ids))
		for i := range ids {
			require.Equal(t, ids[i], out.Nodes[i].ID)
		}

		// Unknown IDs: null entries with NOT_FOUND errors at their index, the rest resolved.
		missing := relay.Encode(fx.products[29].ID + 1000)
		res := e.gql.Do(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
			map[string]any{"ids": []string{ids[0], missing}})
		require.Len(t, res.Errors, 1)
		requireCode(t, res.Errors[0], "NOT_FOUND")
		require.NotContains(t, res.Errors[0].Message, "4294", "raw integer IDs must not leak")
		var partial struct{ Nodes []*struct{ ID string } }
		require.NoError(t, json.Unmarshal(res.Data, &partial))
		require.Equal(t, ids[0], partial.Nodes[0].ID)
		require.Nil(t, partial.Nodes[1])
	})
}

func TestSearch(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		fx := e.fx
		search := func(q string, first int, after *string) conn {
			var out struct{ Search conn }
			e.gql.MustData(t, &out, `query($q: String!, $first: Int, $after: Cursor) {
				search(query: $q, first: $first, after: $after) {
					totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id name } } } }`,
				map[string]any{"q": q, "first": first, "after": after})
			return out.Search
		}
		names := func(c conn) []string {
			var out []string
			for _, n := range c.field("name") {
				out = append(out, n.(string))
			}
			return out
		}

		// A match in the name outranks matches only in the description.
		got := search("waterproof", 10, nil)
		require.Equal(t, 3, got.TotalCount)
		require.Equal(t, "Waterproof Trail Jacket", names(got)[0])
		require.ElementsMatch(t, []string{"Waterproof Trail Jacket", "Wool Hiking Socks", "Alpine Tent"}, names(got))

		// Stemming: "tents" finds "tent"; every word must match.
		require.Equal(t, []string{"Alpine Tent"}, names(search("tents", 10, nil)))
		require.Equal(t, []string{"Cast Iron Skillet"}, names(search("cast iron", 10, nil)))
		require.Empty(t, names(search("cast tent", 10, nil)))

		// Syntax from either engine is plain text, never an error.
		for _, q := range []string{`"unbalanced`, `tent*`, `NEAR(tent)`, `tent OR`, `'; DROP TABLE products; --`, `a & | ! :*`, `-tent`} {
			res := e.gql.Do(t, `query($q: String!) { search(query: $q) { totalCount } }`, map[string]any{"q": q})
			require.Empty(t, res.Errors, "query %q", q)
		}

		// Paging through a ranking covers it exactly once.
		all := search("product sturdy everyday", 100, nil)
		require.Equal(t, 26, all.TotalCount)
		var paged []string
		var cursor *string
		for {
			page := search("product sturdy everyday", 4, cursor)
			for _, id := range page.field("id") {
				paged = append(paged, id.(string))
			}
			if !page.PageInfo.HasNextPage {
				break
			}
			cursor = page.PageInfo.EndCursor
		}
		var allIDs []string
		for _, id := range all.field("id") {
			allIDs = append(allIDs, id.(string))
		}
		require.Equal(t, allIDs, paged)
		_ = fx

		for _, q := range []string{"", "   ", "!!!", strings.Repeat("a", 201)} {
			requireCode(t, e.gql.MustError(t, "BAD_USER_INPUT", `query($q: String!) { search(query: $q) { totalCount } }`,
				map[string]any{"q": q}), "BAD_USER_INPUT")
		}
	})
}
