package graph_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/rating"
	"github.com/vitrinehq/vitrine/ent/review"
	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/relay"
)

// snapshot renders every row the API can write, so a test can prove a failed mutation changed
// nothing.
func snapshot(t *testing.T, c *ent.Client) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, rows := range []any{
		c.Product.Query().Order(ent.Asc("id")).AllX(ctx),
		c.Category.Query().Order(ent.Asc("id")).AllX(ctx),
		c.Review.Query().Order(ent.Asc("id")).AllX(ctx),
		c.Rating.Query().Order(ent.Asc("id")).AllX(ctx),
		c.User.Query().Order(ent.Asc("id")).AllX(ctx),
	} {
		raw, err := json.Marshal(rows)
		require.NoError(t, err)
		b.Write(raw)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestGuardedMutations(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		fx := e.fx
		admin, alice, bob := fx.users[0], fx.users[1], fx.users[2]
		empty := e.st.Client.Category.Create().SetName("Empty").SetSlug("empty").SaveX(ctx)
		id := relay.Encode
		mutations := []struct {
			name, doc string
			vars      map[string]any
			adminOnly bool
			owned     bool // the object belongs to alice
		}{
			{"createProduct", `mutation($in: CreateProductInput!) { createProduct(input: $in) { id } }`,
				map[string]any{"in": map[string]any{"sku": "NEW-1", "name": "New", "slug": "new-1", "price": 100, "categoryID": id(fx.kitchen.ID)}}, true, false},
			{"updateProduct", `mutation($id: ID!) { updateProduct(id: $id, input: {name: "Renamed"}) { id } }`,
				map[string]any{"id": id(fx.products[21].ID)}, true, false},
			{"deleteProduct", `mutation($id: ID!) { deleteProduct(id: $id) }`, map[string]any{"id": id(fx.products[20].ID)}, true, false},
			{"createCategory", `mutation { createCategory(input: {name: "Garden", slug: "garden"}) { id } }`, nil, true, false},
			{"updateCategory", `mutation($id: ID!) { updateCategory(id: $id, input: {name: "Cooking"}) { id } }`,
				map[string]any{"id": id(fx.kitchen.ID)}, true, false},
			{"deleteCategory", `mutation($id: ID!) { deleteCategory(id: $id) }`, map[string]any{"id": id(empty.ID)}, true, false},
			{"addReview", `mutation($p: ID!) { addReview(input: {productID: $p, title: "Good", body: "Works."}) { id } }`,
				map[string]any{"p": id(fx.products[2].ID)}, false, false},
			{"updateReview", `mutation($id: ID!) { updateReview(id: $id, input: {body: "Edited."}) { id } }`,
				map[string]any{"id": id(fx.reviews[1].ID)}, false, true},
			{"deleteReview", `mutation($id: ID!) { deleteReview(id: $id) }`, map[string]any{"id": id(fx.reviews[1].ID)}, false, true},
			{"rateProduct", `mutation($p: ID!) { rateProduct(productID: $p, stars: 4) { stars } }`,
				map[string]any{"p": id(fx.products[3].ID)}, false, false},
			{"deleteRating", `mutation($p: ID!) { deleteRating(productID: $p) }`, map[string]any{"p": id(fx.products[0].ID)}, false, false},
		}
		bad := badCredentials(t, e)
		for _, m := range mutations {
			t.Run(m.name, func(t *testing.T) {
				failures := map[string]struct {
					client *gqltest.Client
					code   string
				}{
					"NoToken":        {e.gql, "UNAUTHENTICATED"},
					"ExpiredToken":   {e.as(bad["Expired"]), "UNAUTHENTICATED"},
					"BadSignature":   {e.as(bad["BadSignature"]), "UNAUTHENTICATED"},
					"AlgNone":        {e.as(bad["AlgNone"]), "UNAUTHENTICATED"},
					"OtherAlgorithm": {e.as(bad["OtherAlgorithm"]), "UNAUTHENTICATED"},
				}
				if m.adminOnly {
					failures["WrongRole"] = struct {
						client *gqltest.Client
						code   string
					}{e.asUser(t, alice), "FORBIDDEN"}
				}
				if m.owned {
					failures["WrongOwner"] = struct {
						client *gqltest.Client
						code   string
					}{e.asUser(t, bob), "FORBIDDEN"}
				}
				for name, f := range failures {
					before := snapshot(t, e.st.Client)
					f.client.MustError(t, f.code, m.doc, m.vars)
					require.Equal(t, before, snapshot(t, e.st.Client), "%s: a refused mutation changed the database", name)
				}
				happy := e.asUser(t, alice)
				if m.adminOnly {
					happy = e.asUser(t, admin)
				}
				before := snapshot(t, e.st.Client)
				res := happy.Do(t, m.doc, m.vars)
				require.Empty(t, res.Errors)
				require.NotEqual(t, before, snapshot(t, e.st.Client), "the mutation changed nothing")
			})
		}
		// An admin may moderate anyone's review.
		e.asUser(t, admin).MustData(t, &struct{}{}, `mutation($id: ID!) { deleteReview(id: $id) }`,
			map[string]any{"id": id(fx.reviews[2].ID)})
	})
}

func TestCatalogMutationValidation(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		fx := e.fx
		adm := e.asUser(t, fx.users[0])
		id := relay.Encode
		const create = `mutation($in: CreateProductInput!) { createProduct(input: $in) { id slug price { amount currencyCode } stock } }`
		valid := func(edit func(map[string]any)) map[string]any {
			in := map[string]any{"sku": "V-1", "name": "Valid", "slug": "valid-1", "price": 1999, "currency": "eur", "categoryID": id(fx.tents.ID)}
			if edit != nil {
				edit(in)
			}
			return map[string]any{"in": in}
		}
		tests := []struct {
			name, field string
			edit        func(map[string]any)
		}{
			{"ErrSlugUpperCase", "slug", func(in map[string]any) { in["slug"] = "Bad-Slug" }},
			{"ErrSlugDoubleHyphen", "slug", func(in map[string]any) { in["slug"] = "a--b" }},
			{"ErrSlugTrailingHyphen", "slug", func(in map[string]any) { in["slug"] = "a-" }},
			{"ErrNegativePrice", "price", func(in map[string]any) { in["price"] = -1 }},
			{"ErrNegativeStock", "stock", func(in map[string]any) { in["stock"] = -5 }},
			{"ErrUnknownCurrency", "currency", func(in map[string]any) { in["currency"] = "ZZZ" }},
			{"ErrCurrencyLength", "currency", func(in map[string]any) { in["currency"] = "EURO" }},
			{"ErrBlankName", "name", func(in map[string]any) { in["name"] = "   " }},
			{"ErrLongName", "name", func(in map[string]any) { in["name"] = strings.Repeat("n", 201) }},
			{"ErrBadImageURL", "imageURL", func(in map[string]any) { in["imageURL"] = "javascript:alert(1)" }},
			{"ErrDuplicateSKU", "sku", func(in map[string]any) { in["sku"] = "SKU-001" }},
			{"ErrDuplicateSlug", "slug", func(in map[string]any) { in["slug"] = "item-01" }},
			{"ErrUnknownCategory", "categoryID", func(in map[string]any) { in["categoryID"] = id(fx.products[0].ID) }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := snapshot(t, e.st.Client)
				got := adm.MustError(t, "BAD_USER_INPUT", create, valid(tt.edit))
				require.Equal(t, tt.field, got.Extensions["field"], got.Message)
				require.Equal(t, before, snapshot(t, e.st.Client))
			})
		}

		var created struct {
			CreateProduct struct {
				ID, Slug string
				Price    struct{ Amount, CurrencyCode string }
				Stock    int
			}
		}
		adm.MustData(t, &created, create, valid(nil))
		require.Equal(t, "19.99", created.CreateProduct.Price.Amount)
		require.Equal(t, "EUR", created.CreateProduct.Price.CurrencyCode, "currency is normalised")

		// Partial update: only the given fields change.
		pid, err := relay.Decode(created.CreateProduct.ID)
		require.NoError(t, err)
		before := e.st.Client.Product.GetX(ctx, pid)
		adm.MustData(t, &struct{}{}, `mutation($id: ID!) { updateProduct(id: $id, input: {stock: 7}) { id } }`, map[string]any{"id": created.CreateProduct.ID})
		after := e.st.Client.Product.GetX(ctx, pid)
		require.Equal(t, 7, after.Stock)
		require.Equal(t, before.Name, after.Name)
		require.Equal(t, before.Price, after.Price)
		require.Equal(t, before.Slug, after.Slug)
		adm.MustError(t, "BAD_USER_INPUT", `mutation($id: ID!) { updateProduct(id: $id, input: {slug: "item-02"}) { id } }`, map[string]any{"id": created.CreateProduct.ID})
		adm.MustError(t, "NOT_FOUND", `mutation($id: ID!) { updateProduct(id: $id, input: {stock: 1}) { id } }`, map[string]any{"id": id(pid + 5000)})

		// Categories: no cycles, no deleting non-empty ones.
		got := adm.MustError(t, "BAD_USER_INPUT", `mutation($id: ID!, $p: ID!) { updateCategory(id: $id, input: {parentID: $p}) { id } }`,
			map[string]any{"id": id(fx.outdoor.ID), "p": id(fx.tents.ID)})
		require.Equal(t, "parentID", got.Extensions["field"])
		adm.MustError(t, "BAD_USER_INPUT", `mutation($id: ID!) { updateCategory(id: $id, input: {parentID: $id}) { id } }`, map[string]any{"id": id(fx.camping.ID)})
		got = adm.MustError(t, "CONFLICT", `mutation($id: ID!) { deleteCategory(id: $id) }`, map[string]any{"id": id(fx.camping.ID)})
		require.Contains(t, got.Message, "subcategories")
		adm.MustError(t, "BAD_USER_INPUT", `mutation { createCategory(input: {name: "Dup", slug: "tents"}) { id } }`, nil)

		// Deleting a product deletes its reviews and ratings.
		p0 := fx.products[0]
		require.Positive(t, e.st.Client.Review.Query().Where(review.ProductID(p0.ID)).CountX(ctx))
		adm.MustData(t, &struct{}{}, `mutation($id: ID!) { deleteProduct(id: $id) }`, map[string]any{"id": id(p0.ID)})
		require.Zero(t, e.st.Client.Review.Query().Where(review.ProductID(p0.ID)).CountX(ctx))
		require.Zero(t, e.st.Client.Rating.Query().Where(rating.ProductID(p0.ID)).CountX(ctx))
		adm.MustError(t, "NOT_FOUND", `mutation($id: ID!) { deleteProduct(id: $id) }`, map[string]any{"id": id(p0.ID)})
	})
}

func TestReviewsAndRatings(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		fx := e.fx
		bob := e.asUser(t, fx.users[2])
		p := relay.Encode(fx.products[9].ID)
		const add = `mutation($in: AddReviewInput!) { addReview(input: $in) { id title body author { displayName } } }`
		tests := []struct {
			name, title, body, product, field string
		}{
			{"ErrLongTitle", strings.Repeat("t", 201), "ok", p, "title"},
			{"ErrEmptyBody", "t", "", p, "body"},
			{"ErrBlankBody", "t", " \n ", p, "body"},
			{"ErrLongBody", "t", strings.Repeat("b", 10001), p, "body"},
			{"ErrUnknownProduct", "t", "ok", relay.Encode(fx.users[0].ID), "productID"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := snapshot(t, e.st.Client)
				got := bob.MustError(t, "BAD_USER_INPUT", add, map[string]any{"in": map[string]any{"productID": tt.product, "title": tt.title, "body": tt.body}})
				require.Equal(t, tt.field, got.Extensions["field"])
				require.Equal(t, before, snapshot(t, e.st.Client))
			})
		}
		verbatim := "<script>alert('x')</script> \"quotes\" & ünïcödé 🚀\n" + strings.Repeat("b", 9900)
		var out struct {
			AddReview struct{ ID, Title, Body string }
		}
		bob.MustData(t, &out, add, map[string]any{"in": map[string]any{"productID": p, "title": strings.Repeat("t", 200), "body": verbatim}})
		require.Equal(t, verbatim, out.AddReview.Body)
		got := bob.MustError(t, "CONFLICT", add, map[string]any{"in": map[string]any{"productID": p, "title": "again", "body": "again"}})
		require.Contains(t, got.Message, "already reviewed")
		require.Equal(t, "productID", got.Extensions["field"])

		// myReview / myRating follow the caller.
		const mine = `query($p: ID!) { product(id: $p) { myRating myReview { id } } }`
		var my struct {
			Product struct {
				MyRating *int
				MyReview *struct{ ID string }
			}
		}
		bob.MustData(t, &my, mine, map[string]any{"p": p})
		require.Nil(t, my.Product.MyRating)
		require.Equal(t, out.AddReview.ID, my.Product.MyReview.ID)
		for _, stars := range []int{0, 6, -1} {
			bob.MustError(t, "BAD_USER_INPUT", `mutation($p: ID!, $s: Int!) { rateProduct(productID: $p, stars: $s) { stars } }`, map[string]any{"p": p, "s": stars})
		}
		bob.MustData(t, &struct{}{}, `mutation($p: ID!) { rateProduct(productID: $p, stars: 2) { stars } }`, map[string]any{"p": p})
		bob.MustData(t, &struct{}{}, `mutation($p: ID!) { rateProduct(productID: $p, stars: 5) { stars } }`, map[string]any{"p": p})
		bob.MustData(t, &my, mine, map[string]any{"p": p})
		require.Equal(t, 5, *my.Product.MyRating, "a second rating replaces the first")
		var anon struct{ Product struct{ MyRating *int } }
		e.gql.MustData(t, &anon, mine, map[string]any{"p": p})
		require.Nil(t, anon.Product.MyRating)

		var del struct{ DeleteRating bool }
		bob.MustData(t, &del, `mutation($p: ID!) { deleteRating(productID: $p) }`, map[string]any{"p": p})
		require.True(t, del.DeleteRating)
		bob.MustData(t, &del, `mutation($p: ID!) { deleteRating(productID: $p) }`, map[string]any{"p": p})
		require.False(t, del.DeleteRating)
		require.Zero(t, e.st.Client.Rating.Query().Where(rating.ProductID(fx.products[9].ID)).CountX(ctx))
	})
}

// Concurrent first reviews by one user of one product: one is stored, every other answers
// CONFLICT, whether the duplicate is seen by the check or by the unique index.
func TestConcurrentReviewsConflict(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		alice := e.asUser(t, e.fx.users[1])
		pid := e.fx.products[13].ID
		const n = 8
		codes := make(chan string, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := alice.Do(t, `mutation($p: ID!) { addReview(input: {productID: $p, title: "T", body: "B"}) { id } }`,
					map[string]any{"p": relay.Encode(pid)})
				if len(res.Errors) > 0 {
					codes <- res.Errors[0].Code()
					return
				}
				codes <- "ok"
			}()
		}
		wg.Wait()
		close(codes)
		count := map[string]int{}
		for c := range codes {
			count[c]++
		}
		require.Equal(t, map[string]int{"ok": 1, "CONFLICT": n - 1}, count)
	})
}

// Concurrent ratings by one user converge on one row: the upsert is a single statement
// guarded by the unique index, not a read-then-write.
func TestConcurrentRatingsLeaveOneRow(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		alice := e.asUser(t, e.fx.users[1])
		pid := e.fx.products[12].ID
		var wg sync.WaitGroup
		errs := make(chan string, 50)
		for i := range 50 {
			wg.Add(1)
			go func(stars int) {
				defer wg.Done()
				res := alice.Do(t, `mutation($p: ID!, $s: Int!) { rateProduct(productID: $p, stars: $s) { stars } }`,
					map[string]any{"p": relay.Encode(pid), "s": stars})
				if len(res.Errors) > 0 {
					errs <- res.Errors[0].Message
				}
			}(i%5 + 1)
		}
		wg.Wait()
		close(errs)
		for msg := range errs {
			t.Errorf("concurrent rateProduct failed: %s", msg)
		}
		rows := e.st.Client.Rating.Query().Where(rating.ProductID(pid), rating.UserID(e.fx.users[1].ID)).AllX(ctx)
		require.Len(t, rows, 1)
		require.GreaterOrEqual(t, rows[0].Stars, 1)
		require.LessOrEqual(t, rows[0].Stars, 5)
	})
}
