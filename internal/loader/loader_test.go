package loader_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent/review"
	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/catalog"
	"github.com/vitrinehq/vitrine/internal/feedback"
	"github.com/vitrinehq/vitrine/internal/loader"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestLoadersMapResultsByKey loads every key at once, in an order unlike the rows', with a key
// that has no rows and one that does not exist, and checks each value against the data; the
// hook sees one batch per loader with all the keys.
func TestLoadersMapResultsByKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := st.Client
		root := c.Category.Create().SetName("Root").SetSlug("root").SaveX(ctx)
		leaf := c.Category.Create().SetName("Leaf").SetSlug("leaf").SetParent(root).SaveX(ctx)
		empty := c.Category.Create().SetName("Empty").SetSlug("empty").SaveX(ctx)
		var pids []int
		for i := range 4 {
			cat := leaf.ID
			if i == 0 {
				cat = root.ID
			}
			pids = append(pids, c.Product.Create().SetSku(fmt.Sprint("S", i)).SetName("P").SetSlug(fmt.Sprint("p-", i)).
				SetPrice(1).SetCategoryID(cat).SaveX(ctx).ID)
		}
		var uids []int
		for i := range 3 {
			uids = append(uids, c.User.Create().SetEmail(fmt.Sprintf("u%d@example.com", i)).SetDisplayName("U").SetPasswordHash("!").SaveX(ctx).ID)
		}
		// User i reviews products 0..i and rates them i+1 stars; product 3 gets nothing.
		for i, uid := range uids {
			for _, pid := range pids[:i+1] {
				c.Review.Create().SetProductID(pid).SetAuthorID(uid).SetTitle("T").SetBody("B").SaveX(ctx)
				c.Rating.Create().SetProductID(pid).SetUserID(uid).SetStars(i + 1).SaveX(ctx)
			}
		}
		missing := 1 << 20
		var mu sync.Mutex
		batches := map[string][]int{}
		hook := func(ctx context.Context, name string, keys int) (context.Context, func(error)) {
			mu.Lock()
			batches[name] = append(batches[name], keys)
			mu.Unlock()
			return ctx, func(err error) { require.NoError(t, err) }
		}
		an := analytics.New(c, st.Dialect)
		l := loader.New(c, an, catalog.New(c, st.Dialect), feedback.New(c), hook, catalog.PageColumns{})
		viewer := auth.NewContext(ctx, &auth.Viewer{UserID: uids[1]})

		products := []int{pids[3], missing, pids[2], pids[0], pids[1]}
		reviews, err := l.ProductReviews.LoadAll(ctx, products)
		require.NoError(t, err)
		require.Equal(t, []int{0, 0, 1, 3, 2}, reviews)

		summary, err := l.RatingSummary.LoadAll(ctx, products)
		require.NoError(t, err)
		for i, want := range [][2]int{{0, 0}, {0, 0}, {1, 3}, {3, 6}, {2, 5}} { // count, sum
			require.Equal(t, want, [2]int{summary[i].Count, summary[i].Sum}, "product key %d", products[i])
		}

		perCategory, err := l.CategoryProducts.LoadAll(ctx, []int{empty.ID, leaf.ID, missing, root.ID})
		require.NoError(t, err)
		require.Equal(t, []int{0, 3, 0, 1}, perCategory, "direct products only")

		subtree, err := l.CategoryRatings.LoadAll(ctx, []int{leaf.ID, root.ID, empty.ID})
		require.NoError(t, err)
		require.Equal(t, 3, subtree[0].Count, "leaf: products 1 and 2")
		require.Equal(t, 6, subtree[1].Count, "root's subtree: every rating")
		require.Zero(t, subtree[2].Count)

		byAuthor, err := l.UserReviews.LoadAll(ctx, []int{uids[2], missing, uids[0]})
		require.NoError(t, err)
		require.Equal(t, []int{3, 0, 1}, byAuthor)

		mine, err := l.MyRatings.LoadAll(viewer, []int{pids[2], pids[1], pids[0]})
		require.NoError(t, err)
		require.Nil(t, mine[0])
		require.Equal(t, 2, *mine[1])
		require.Equal(t, 2, *mine[2])

		myReviews, err := l.MyReviews.LoadAll(viewer, []int{pids[1], pids[3]})
		require.NoError(t, err)
		require.Equal(t, uids[1], myReviews[0].AuthorID)
		require.Equal(t, pids[1], myReviews[0].ProductID)
		require.Nil(t, myReviews[1])

		keys := []catalog.ReviewPageKey{
			{ProductID: pids[0], First: 1, Column: review.FieldCreatedAt, Desc: true},
			{ProductID: pids[3], First: 1, Column: review.FieldCreatedAt, Desc: true},
		}
		pages, err := l.ReviewPages.LoadAll(ctx, keys)
		require.NoError(t, err)
		require.Len(t, pages[0], 2, "first+1 rows tell there is a next page")
		require.Empty(t, pages[1])

		for name, want := range map[string][]int{
			"ProductReviews": {5}, "RatingSummary": {5}, "CategoryProducts": {4}, "CategoryRatings": {3},
			"UserReviews": {3}, "MyRatings": {3}, "MyReviews": {2}, "ReviewPages": {2},
		} {
			require.Equal(t, want, batches[name], "%s: one batch with every key", name)
		}
	})
}

// Lazy loaders are made on first use, once, and a context without loaders has none.
func TestLazyContextMakesLoadersOnFirstUse(t *testing.T) {
	made := 0
	want := &loader.Loaders{}
	ctx := loader.NewLazyContext(context.Background(), func() *loader.Loaders { made++; return want })
	require.Zero(t, made, "nothing is made before a field asks")
	require.Same(t, want, loader.FromContext(ctx))
	require.Same(t, want, loader.FromContext(ctx))
	require.Equal(t, 1, made)
	require.Nil(t, loader.FromContext(context.Background()))
}
