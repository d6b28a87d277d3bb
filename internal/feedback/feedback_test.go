package feedback_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/feedback"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// world is two products and three users (two shoppers and an admin) in a fresh store.
type world struct {
	c                 *ent.Client
	p1, p2            int
	alice, bob, admin context.Context
}

func newWorld(t *testing.T, st *store.Store) world {
	ctx := context.Background()
	c := st.Client
	cat := c.Category.Create().SetName("Root").SetSlug("root").SaveX(ctx)
	var pids []int
	for i := range 2 {
		pids = append(pids, c.Product.Create().SetSku(fmt.Sprint("S", i)).SetName("P").SetSlug(fmt.Sprint("p-", i)).
			SetPrice(1).SetCategoryID(cat.ID).SaveX(ctx).ID)
	}
	as := func(i int, role user.Role) context.Context {
		u := c.User.Create().SetEmail(fmt.Sprintf("u%d@example.com", i)).SetDisplayName("U").SetPasswordHash("!").SetRole(role).SaveX(ctx)
		return auth.NewContext(ctx, &auth.Viewer{UserID: u.ID, Role: role})
	}
	return world{c: c, p1: pids[0], p2: pids[1],
		alice: as(0, user.RoleUSER), bob: as(1, user.RoleUSER), admin: as(2, user.RoleADMIN)}
}

func requireCode(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	require.Error(t, err)
	e, ok := apperr.As(err)
	require.True(t, ok, "want an *apperr.Error, got %v", err)
	require.Equal(t, code, e.Code, e.Message)
	require.Equal(t, field, e.Field)
}

func TestRateAcceptsOneToFiveAndRefusesTheRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		f := feedback.New(w.c)
		for _, tc := range []struct {
			name  string
			ctx   context.Context
			stars int
			code  apperr.Code
			field string
		}{
			{"zero stars is bad input", w.alice, 0, apperr.BadInput, "stars"},
			{"six stars is bad input", w.alice, 6, apperr.BadInput, "stars"},
			{"negative stars is bad input", w.alice, -1, apperr.BadInput, "stars"},
			{"anonymous is unauthenticated", context.Background(), 3, apperr.Unauthenticated, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.Rate(tc.ctx, w.p1, tc.stars)
				requireCode(t, err, tc.code, tc.field)
			})
		}
		_, err := f.Rate(w.alice, 1<<30, 3)
		requireCode(t, err, apperr.BadInput, "productID")
		for stars := 1; stars <= 5; stars++ {
			r, err := f.Rate(w.alice, w.p1, stars)
			require.NoError(t, err)
			require.Equal(t, stars, r.Stars)
		}
		require.Equal(t, 1, w.c.Rating.Query().CountX(w.alice), "re-rating updates the one row per user and product")
	})
}

func TestSecondReviewOfAProductIsAConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		f := feedback.New(w.c)
		_, err := f.AddReview(w.alice, w.p1, "Good", "Works.")
		require.NoError(t, err)
		_, err = f.AddReview(w.alice, w.p1, "Again", "Still works.")
		requireCode(t, err, apperr.Conflict, "productID")
		_, err = f.AddReview(w.bob, w.p1, "Mine", "Fine.")
		require.NoError(t, err, "another user may review the same product")
		_, err = f.AddReview(w.alice, w.p2, "Other", "Also fine.")
		require.NoError(t, err, "the same user may review another product")
	})
}

func TestReviewTextRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		f := feedback.New(w.c)
		for _, tc := range []struct {
			name, title, body, field string
		}{
			{"blank body is refused", "T", "   ", "body"},
			{"empty body is refused", "T", "", "body"},
			{"overlong body is refused", "T", strings.Repeat("é", feedback.MaxBodyLen+1), "body"},
			{"overlong title is refused", strings.Repeat("é", feedback.MaxTitleLen+1), "B", "title"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.AddReview(w.alice, w.p1, tc.title, tc.body)
				requireCode(t, err, apperr.BadInput, tc.field)
			})
		}
		// The longest title and body are accepted, in ASCII and in multi-byte text alike: the
		// limits count characters, in the domain and in the ent schema.
		r, err := f.AddReview(w.alice, w.p1, strings.Repeat("t", feedback.MaxTitleLen), strings.Repeat("b", feedback.MaxBodyLen))
		require.NoError(t, err)
		require.Equal(t, w.p1, r.ProductID)
		title, body := strings.Repeat("é", feedback.MaxTitleLen), strings.Repeat("✓", feedback.MaxBodyLen)
		r, err = f.UpdateReview(w.alice, r.ID, &title, &body)
		require.NoError(t, err)
		require.Equal(t, title, r.Title)
		require.Equal(t, body, r.Body)
	})
}

func TestOnlyTheAuthorOrAnAdminChangesAReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		f := feedback.New(w.c)
		r, err := f.AddReview(w.alice, w.p1, "Good", "Works.")
		require.NoError(t, err)
		title := "Hijacked"
		_, err = f.UpdateReview(w.bob, r.ID, &title, nil)
		requireCode(t, err, apperr.Forbidden, "")
		requireCode(t, f.DeleteReview(w.bob, r.ID), apperr.Forbidden, "")
		_, err = f.UpdateReview(context.Background(), r.ID, &title, nil)
		requireCode(t, err, apperr.Unauthenticated, "")
		_, err = f.UpdateReview(w.alice, r.ID+1000, &title, nil)
		requireCode(t, err, apperr.NotFound, "")

		title = "Better"
		got, err := f.UpdateReview(w.alice, r.ID, &title, nil)
		require.NoError(t, err)
		require.Equal(t, "Better", got.Title)
		require.Equal(t, "Works.", got.Body, "a nil body leaves the body alone")
		require.NoError(t, f.DeleteReview(w.admin, r.ID))
		require.Zero(t, w.c.Review.Query().CountX(w.alice))
	})
}

func TestDeleteRatingReportsWhetherThereWasOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		f := feedback.New(w.c)
		_, err := f.Rate(w.alice, w.p1, 4)
		require.NoError(t, err)
		_, err = f.Rate(w.bob, w.p1, 2)
		require.NoError(t, err)
		had, err := f.DeleteRating(w.alice, w.p1)
		require.NoError(t, err)
		require.True(t, had)
		had, err = f.DeleteRating(w.alice, w.p1)
		require.NoError(t, err)
		require.False(t, had)
		require.Equal(t, 1, w.c.Rating.Query().CountX(w.alice), "bob's rating stays")
	})
}

func TestMyRatingsAndMyReviewsMapEveryRequestedProduct(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		f := feedback.New(w.c)
		_, err := f.Rate(w.alice, w.p1, 4)
		require.NoError(t, err)
		_, err = f.Rate(w.bob, w.p2, 2)
		require.NoError(t, err)
		rv, err := f.AddReview(w.alice, w.p2, "T", "B")
		require.NoError(t, err)
		_, err = f.AddReview(w.bob, w.p1, "T", "B")
		require.NoError(t, err)
		missing := w.p2 + 1000
		ids := []int{w.p1, w.p2, missing}

		for _, tc := range []struct {
			name      string
			ctx       context.Context
			stars     map[int]int // products with a rating; the rest must map to nil
			reviewsOf map[int]int // product → review ID
		}{
			{"alice sees only her own", w.alice, map[int]int{w.p1: 4}, map[int]int{w.p2: rv.ID}},
			{"anonymous sees nil for every product", context.Background(), nil, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ratings, err := f.MyRatings(tc.ctx, ids)
				require.NoError(t, err)
				require.Len(t, ratings, len(ids))
				for _, id := range ids {
					if s, ok := tc.stars[id]; ok {
						require.NotNil(t, ratings[id], "product %d", id)
						require.Equal(t, s, *ratings[id])
					} else {
						require.Contains(t, ratings, id)
						require.Nil(t, ratings[id], "product %d", id)
					}
				}
				reviews, err := f.MyReviews(tc.ctx, ids)
				require.NoError(t, err)
				require.Len(t, reviews, len(ids))
				for _, id := range ids {
					if rid, ok := tc.reviewsOf[id]; ok {
						require.NotNil(t, reviews[id], "product %d", id)
						require.Equal(t, rid, reviews[id].ID)
					} else {
						require.Contains(t, reviews, id)
						require.Nil(t, reviews[id], "product %d", id)
					}
				}
			})
		}
	})
}
