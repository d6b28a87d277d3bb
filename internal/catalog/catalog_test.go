package catalog_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/review"
	"github.com/vitrinehq/vitrine/internal/catalog"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestTermsSplitAnythingThatIsNotALetterOrDigit(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"Red  Shoes", []string{"red", "shoes"}},
		{`"drop table"; --`, []string{"drop", "table"}},
		{"café-42 NEAR/3 x*", []string{"café", "42", "near", "3", "x"}},
		{" \t\"' ", []string{}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			require.Equal(t, tc.want, catalog.Terms(tc.query))
		})
	}
}

func TestValidSlug(t *testing.T) {
	for _, tc := range []struct {
		slug string
		want bool
	}{
		{"red-shoes", true},
		{"a1-b2", true},
		{"Red-Shoes", false},
		{"red--shoes", false},
		{"-red", false},
		{"red-", false},
		{"red shoes", false},
		{"", false},
	} {
		require.Equal(t, tc.want, catalog.ValidSlug(tc.slug), tc.slug)
	}
}

func TestFirstReviewPageKeyTakesOnlyPlainFirstPagesByTime(t *testing.T) {
	five := 5
	desc := &ent.ReviewOrder{Field: ent.ReviewOrderFieldCreatedAt, Direction: entgql.OrderDirectionDesc}
	asc := &ent.ReviewOrder{Field: ent.ReviewOrderFieldUpdatedAt, Direction: entgql.OrderDirectionAsc}
	cur := &ent.Cursor{ID: 1}
	key, ok := catalog.FirstReviewPageKey(9, nil, &five, nil, nil, desc, nil)
	require.True(t, ok)
	require.Equal(t, catalog.ReviewPageKey{ProductID: 9, First: 5, Column: review.FieldCreatedAt, Desc: true}, key)
	key, ok = catalog.FirstReviewPageKey(9, nil, &five, nil, nil, asc, nil)
	require.True(t, ok)
	require.Equal(t, catalog.ReviewPageKey{ProductID: 9, First: 5, Column: review.FieldUpdatedAt}, key)
	for name, args := range map[string][]any{
		"after":    {cur, &five, (*ent.Cursor)(nil), (*int)(nil), desc, (*ent.ReviewWhereInput)(nil)},
		"before":   {(*ent.Cursor)(nil), &five, cur, (*int)(nil), desc, (*ent.ReviewWhereInput)(nil)},
		"last":     {(*ent.Cursor)(nil), (*int)(nil), (*ent.Cursor)(nil), &five, desc, (*ent.ReviewWhereInput)(nil)},
		"no first": {(*ent.Cursor)(nil), (*int)(nil), (*ent.Cursor)(nil), (*int)(nil), desc, (*ent.ReviewWhereInput)(nil)},
		"no order": {(*ent.Cursor)(nil), &five, (*ent.Cursor)(nil), (*int)(nil), (*ent.ReviewOrder)(nil), (*ent.ReviewWhereInput)(nil)},
		"where":    {(*ent.Cursor)(nil), &five, (*ent.Cursor)(nil), (*int)(nil), desc, &ent.ReviewWhereInput{}},
	} {
		_, ok := catalog.FirstReviewPageKey(9, args[0].(*ent.Cursor), args[1].(*int), args[2].(*ent.Cursor), args[3].(*int), args[4].(*ent.ReviewOrder), args[5].(*ent.ReviewWhereInput))
		require.False(t, ok, name)
	}
}

// TestReviewPagesMatchBruteForce compares every page shape against sorting all of a
// product's reviews in Go: the pager's order (column, then id, same direction), First+1 rows,
// and an empty entry for a product without reviews.
func TestReviewPagesMatchBruteForce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := st.Client
		cat := c.Category.Create().SetName("Root").SetSlug("root").SaveX(ctx)
		var pids []int
		for i := range 3 {
			pids = append(pids, c.Product.Create().SetSku(fmt.Sprint("S", i)).SetName("P").SetSlug(fmt.Sprint("p-", i)).
				SetPrice(1).SetCategoryID(cat.ID).SaveX(ctx).ID)
		}
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var all []*ent.Review
		for i := range 7 {
			u := c.User.Create().SetEmail(fmt.Sprintf("u%d@example.com", i)).SetDisplayName("U").SetPasswordHash("!").SaveX(ctx)
			for j, pid := range pids[:2] { // the third product has no reviews
				// Ties in created_at (i/2) make the id tie-break matter.
				r := c.Review.Create().SetProductID(pid).SetAuthorID(u.ID).SetTitle("T").SetBody("B").
					SetCreatedAt(base.Add(time.Duration(i/2) * time.Hour)).
					SetUpdatedAt(base.Add(time.Duration((7-i)*(j+1)) * time.Minute)).SaveX(ctx)
				all = append(all, r)
			}
		}
		cat2 := catalog.New(c, st.Dialect)
		var keys []catalog.ReviewPageKey
		for _, pid := range pids {
			for _, first := range []int{0, 2, 10} {
				for _, col := range []string{review.FieldCreatedAt, review.FieldUpdatedAt} {
					for _, desc := range []bool{false, true} {
						keys = append(keys, catalog.ReviewPageKey{ProductID: pid, First: first, Column: col, Desc: desc})
					}
				}
			}
		}
		got, err := cat2.ReviewPages(catalog.PageColumns{})(ctx, keys)
		require.NoError(t, err)
		require.Len(t, got, len(keys))
		for _, k := range keys {
			var want []int
			var mine []*ent.Review
			for _, r := range all {
				if r.ProductID == k.ProductID {
					mine = append(mine, r)
				}
			}
			at := func(r *ent.Review) time.Time {
				if k.Column == review.FieldCreatedAt {
					return r.CreatedAt
				}
				return r.UpdatedAt
			}
			sort.Slice(mine, func(i, j int) bool {
				a, b := mine[i], mine[j]
				if !at(a).Equal(at(b)) {
					return at(a).Before(at(b)) != k.Desc
				}
				return (a.ID < b.ID) != k.Desc
			})
			for i := 0; i < len(mine) && i < k.First+1; i++ {
				want = append(want, mine[i].ID)
			}
			var ids []int
			for _, r := range got[k] {
				ids = append(ids, r.ID)
				a := r.Edges.Author
				require.NotNil(t, a, "authors are loaded with the page")
				full := c.User.GetX(ctx, a.ID)
				require.Empty(t, a.PasswordHash, "the password hash is not read with a page")
				require.Equal(t, []any{full.Email, full.DisplayName, full.Role, full.CreatedAt.UnixNano(), full.UpdatedAt.UnixNano()},
					[]any{a.Email, a.DisplayName, a.Role, a.CreatedAt.UnixNano(), a.UpdatedAt.UnixNano()},
					"every other column of the author is read")
			}
			require.Equal(t, want, ids, "%+v", k)
		}

		// Fewer columns: the same pages, with the columns asked for and those a page is built
		// from, and nothing else.
		narrow, err := cat2.ReviewPages(catalog.PageColumns{Reviews: []string{review.FieldTitle}, Authors: []string{"display_name"}})(ctx, keys)
		require.NoError(t, err)
		for _, k := range keys {
			require.Len(t, narrow[k], len(got[k]), "%+v", k)
			for i, r := range narrow[k] {
				full := got[k][i]
				require.Equal(t, []any{full.ID, full.ProductID, full.AuthorID, full.Title}, []any{r.ID, r.ProductID, r.AuthorID, r.Title})
				require.Empty(t, r.Body, "body was not asked for")
				if k.Column == review.FieldCreatedAt {
					require.True(t, full.CreatedAt.Equal(r.CreatedAt), "the order column is read")
				} else {
					require.True(t, full.UpdatedAt.Equal(r.UpdatedAt), "the order column is read")
				}
				a := r.Edges.Author
				require.NotNil(t, a)
				require.Equal(t, full.Edges.Author.DisplayName, a.DisplayName)
				require.Empty(t, a.Email, "e-mail was not asked for")
			}
		}
	})
}

func TestSearchFindsProductsWithEveryTerm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := st.Client
		cat := c.Category.Create().SetName("Root").SetSlug("root").SaveX(ctx)
		mk := func(i int, name, desc string) int {
			return c.Product.Create().SetSku(fmt.Sprint("S", i)).SetName(name).SetDescription(desc).SetSlug(fmt.Sprint("p-", i)).
				SetPrice(1).SetCategoryID(cat.ID).SaveX(ctx).ID
		}
		redShoes := mk(0, "Red running shoes", "Light and fast")
		redHat := mk(1, "Red hat", "Wool, keeps you warm")
		shoesInDesc := mk(2, "Trail runner", "Red shoes for rough ground")
		mk(3, "Blue scarf", "Soft")
		cat2 := catalog.New(c, st.Dialect)
		for _, tc := range []struct {
			query string
			want  []int // as a set; the name outranks the description where both match
		}{
			{"red shoes", []int{redShoes, shoesInDesc}},
			{"RED", []int{redShoes, redHat, shoesInDesc}},
			{"wool", []int{redHat}},
			{"green", nil},
			{`red" OR 1=1 --`, nil}, // every term must match; none is syntax
		} {
			t.Run(tc.query, func(t *testing.T) {
				conn, err := cat2.Search(ctx, tc.query, 10, nil)
				require.NoError(t, err)
				var ids []int
				for _, e := range conn.Edges {
					ids = append(ids, e.Node.ID)
				}
				require.ElementsMatch(t, tc.want, ids)
			})
		}
		conn, err := cat2.Search(ctx, "red shoes", 10, nil)
		require.NoError(t, err)
		require.Equal(t, redShoes, conn.Edges[0].Node.ID, "a match in the name ranks above one in the description")
	})
}
