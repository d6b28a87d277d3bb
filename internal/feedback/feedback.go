// Package feedback is the write side of reviews and ratings: one review and one rating per
// user per product, editable by their author (or an admin).
package feedback

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"entgo.io/ent/dialect/sql"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/product"
	"github.com/vitrinehq/vitrine/ent/rating"
	"github.com/vitrinehq/vitrine/ent/review"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/live"
)

// Limits on review text. Text is stored verbatim; escaping is the renderer's job.
const (
	MaxTitleLen = 200
	MaxBodyLen  = 10000
)

// Feedback writes reviews and ratings. Methods return BAD_USER_INPUT, NOT_FOUND and FORBIDDEN
// *apperr.Error values for the caller's mistakes. Every method requires an authenticated
// viewer; the GraphQL @auth directive guarantees one.
type Feedback struct {
	client *ent.Client
	live   *live.Broker
}

// New returns a Feedback over client.
func New(client *ent.Client) *Feedback { return &Feedback{client: client} }

// WithLive makes f publish every committed change of a review or rating to b, for
// subscriptions.
func (f *Feedback) WithLive(b *live.Broker) *Feedback {
	f.live = b
	return f
}

func viewer(ctx context.Context) (*auth.Viewer, error) {
	v := auth.FromContext(ctx)
	if v == nil {
		return nil, apperr.Errorf(apperr.Unauthenticated, "log in to do this")
	}
	return v, nil
}

func checkText(title, body *string) error {
	if title != nil && utf8.RuneCountInString(*title) > MaxTitleLen {
		return apperr.InvalidField("title", "title must be at most %d characters", MaxTitleLen)
	}
	if body != nil {
		n := utf8.RuneCountInString(*body)
		if strings.TrimSpace(*body) == "" || n > MaxBodyLen {
			return apperr.InvalidField("body", "body must be 1 to %d characters and not blank", MaxBodyLen)
		}
	}
	return nil
}

// productCategory returns the category of an existing product (BAD_USER_INPUT on productID
// when there is none): events about the product carry it.
func (f *Feedback) productCategory(ctx context.Context, id int) (int, error) {
	ids, err := f.client.For(ctx).Product.Query().Where(product.ID(id)).Select(product.FieldCategoryID).Ints(ctx)
	if err != nil {
		return 0, fmt.Errorf("check product: %w", err)
	}
	if len(ids) == 0 {
		return 0, apperr.InvalidField("productID", "no product has this ID")
	}
	return ids[0], nil
}

// AddReview posts the viewer's review of a product; a second review of the same product is
// refused (edit the first instead).
func (f *Feedback) AddReview(ctx context.Context, productID int, title, body string) (*ent.Review, error) {
	v, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkText(&title, &body); err != nil {
		return nil, err
	}
	if _, err := f.productCategory(ctx, productID); err != nil {
		return nil, err
	}
	db := f.client.For(ctx)
	dup, err := db.Review.Query().Where(review.ProductID(productID), review.AuthorID(v.UserID)).Exist(ctx)
	if err != nil {
		return nil, fmt.Errorf("check review: %w", err)
	}
	if dup {
		return nil, errDuplicateReview
	}
	r, err := db.Review.Create().SetProductID(productID).SetAuthorID(v.UserID).SetTitle(title).SetBody(body).Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, errDuplicateReview
	}
	if err != nil {
		return nil, err
	}
	f.live.Publish(ctx, live.Event{Kind: live.ReviewCreated, ProductID: productID, ReviewID: r.ID, UserID: v.UserID})
	return r, nil
}

// errDuplicateReview is a CONFLICT, as the README documents: the input is well-formed, it
// collides with the state (the viewer's existing review).
var errDuplicateReview = &apperr.Error{Code: apperr.Conflict, Field: "productID",
	Message: "you have already reviewed this product; update that review instead"}

// ownReview loads a review the viewer may change: their own, or any for an admin.
func (f *Feedback) ownReview(ctx context.Context, id int) (*ent.Review, error) {
	v, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	r, err := f.client.For(ctx).Review.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.Errorf(apperr.NotFound, "no review has this ID")
	}
	if err != nil {
		return nil, err
	}
	if r.AuthorID != v.UserID && !v.IsAdmin() {
		return nil, apperr.Errorf(apperr.Forbidden, "only the review's author or an admin may change it")
	}
	return r, nil
}

// UpdateReview changes the title and/or body of a review.
func (f *Feedback) UpdateReview(ctx context.Context, id int, title, body *string) (*ent.Review, error) {
	if err := checkText(title, body); err != nil {
		return nil, err
	}
	r, err := f.ownReview(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err = r.Update().SetNillableTitle(title).SetNillableBody(body).Save(ctx)
	if err != nil {
		return nil, err
	}
	f.live.Publish(ctx, live.Event{Kind: live.ReviewUpdated, ProductID: r.ProductID, ReviewID: r.ID, UserID: r.AuthorID})
	return r, nil
}

// DeleteReview deletes a review.
func (f *Feedback) DeleteReview(ctx context.Context, id int) error {
	r, err := f.ownReview(ctx, id)
	if err != nil {
		return err
	}
	if err := f.client.For(ctx).Review.DeleteOneID(id).Exec(ctx); err != nil {
		return err
	}
	f.live.Publish(ctx, live.Event{Kind: live.ReviewDeleted, ProductID: r.ProductID, ReviewID: id, UserID: r.AuthorID})
	return nil
}

// Rate sets the viewer's stars for a product. It is one INSERT … ON CONFLICT DO UPDATE, so
// concurrent calls by the same user converge on one row instead of racing a read-then-write.
func (f *Feedback) Rate(ctx context.Context, productID, stars int) (*ent.Rating, error) {
	v, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	if stars < 1 || stars > 5 {
		return nil, apperr.InvalidField("stars", "stars must be a whole number from 1 to 5")
	}
	categoryID, err := f.productCategory(ctx, productID)
	if err != nil {
		return nil, err
	}
	db := f.client.For(ctx)
	err = db.Rating.Create().
		SetProductID(productID).SetUserID(v.UserID).SetStars(stars).
		OnConflict(sql.ConflictColumns(rating.FieldProductID, rating.FieldUserID)).
		Update(func(u *ent.RatingUpsert) { u.SetStars(stars).UpdateUpdatedAt() }).
		Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("upsert rating: %w", err)
	}
	f.live.Publish(ctx, live.Event{Kind: live.RatingChanged, ProductID: productID, CategoryID: categoryID, UserID: v.UserID})
	return db.Rating.Query().Where(rating.ProductID(productID), rating.UserID(v.UserID)).Only(ctx)
}

// DeleteRating removes the viewer's rating of a product and reports whether there was one.
func (f *Feedback) DeleteRating(ctx context.Context, productID int) (bool, error) {
	v, err := viewer(ctx)
	if err != nil {
		return false, err
	}
	n, err := f.client.For(ctx).Rating.Delete().Where(rating.ProductID(productID), rating.UserID(v.UserID)).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("delete rating: %w", err)
	}
	if n > 0 && f.live != nil {
		// Aggregate subscriptions need the product's category; only a real change pays for it.
		categoryID, err := f.productCategory(ctx, productID)
		if err != nil {
			return false, err
		}
		f.live.Publish(ctx, live.Event{Kind: live.RatingChanged, ProductID: productID, CategoryID: categoryID, UserID: v.UserID})
	}
	return n > 0, nil
}

// MyRatings returns the viewer's stars for each of productIDs, nil where the viewer has not
// rated the product (and for every product when the caller is anonymous). It is one query for
// all the products of a page.
func (f *Feedback) MyRatings(ctx context.Context, productIDs []int) (map[int]*int, error) {
	out := make(map[int]*int, len(productIDs))
	for _, id := range productIDs {
		out[id] = nil
	}
	v := auth.FromContext(ctx)
	if v == nil {
		return out, nil
	}
	rs, err := f.client.For(ctx).Rating.Query().Where(rating.ProductIDIn(productIDs...), rating.UserID(v.UserID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("viewer's ratings: %w", err)
	}
	for _, r := range rs {
		out[r.ProductID] = &r.Stars
	}
	return out, nil
}

// MyReviews returns the viewer's review of each of productIDs, nil where there is none (and for
// every product when the caller is anonymous), in one query.
func (f *Feedback) MyReviews(ctx context.Context, productIDs []int) (map[int]*ent.Review, error) {
	out := make(map[int]*ent.Review, len(productIDs))
	for _, id := range productIDs {
		out[id] = nil
	}
	v := auth.FromContext(ctx)
	if v == nil {
		return out, nil
	}
	rs, err := f.client.For(ctx).Review.Query().Where(review.ProductIDIn(productIDs...), review.AuthorID(v.UserID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("viewer's reviews: %w", err)
	}
	for _, r := range rs {
		out[r.ProductID] = r
	}
	return out, nil
}
