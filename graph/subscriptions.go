package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/product"
	"github.com/vitrinehq/vitrine/graph/model"
	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/catalog"
	"github.com/vitrinehq/vitrine/internal/live"
)

// The subscriptions read what they push through the ordinary read path: an event carries IDs
// only, and each subscriber reads the state once the write has committed.

var errNoLive = apperr.Errorf(apperr.BadRequest, "subscriptions are not enabled on this server")

// checkLive answers errNoLive when the server has no broker, else checks that the product
// exists.
func (r *Resolver) checkLive(ctx context.Context, productID int) error {
	if r.Live == nil {
		return errNoLive
	}
	return r.productExists(ctx, productID, "productID")
}

// productExists answers BAD_USER_INPUT on field when no product has the ID.
func (r *Resolver) productExists(ctx context.Context, productID int, field string) error {
	ok, err := r.Client.Product.Query().Where(product.ID(productID)).Exist(ctx)
	if err != nil {
		return fmt.Errorf("check product: %w", err)
	}
	if !ok {
		return apperr.InvalidField(field, "no product has this ID")
	}
	return nil
}

var reviewKinds = map[live.Kind]model.ReviewEventKind{
	live.ReviewCreated:  model.ReviewEventKindCreated,
	live.ReviewUpdated:  model.ReviewEventKindUpdated,
	live.ReviewDeleted:  model.ReviewEventKindDeleted,
	live.ProductDeleted: model.ReviewEventKindProductDeleted,
	live.Reset:          model.ReviewEventKindReset,
}

// reviewEvents streams a product's review changes, each with the review as it is now. The
// review is read once per event for every subscriber of the product on this process; its
// fields are then resolved per subscriber, with each one's rights.
func (r *Resolver) reviewEvents(ctx context.Context, productID int) (<-chan *model.ReviewEvent, error) {
	if err := r.checkLive(ctx, productID); err != nil {
		return nil, err
	}
	return live.ShareEach(ctx, r.Live, fmt.Sprintf("reviews|p%d", productID), productID, func(ctx context.Context, ev live.Event) (*model.ReviewEvent, bool, error) {
		kind, ok := reviewKinds[ev.Kind]
		if !ok || (ev.Kind == live.ProductDeleted && ev.ProductID != productID) {
			return nil, false, nil // a rating
		}
		out := &model.ReviewEvent{Kind: kind, ProductID: productID}
		if ev.Kind == live.Reset || ev.Kind == live.ProductDeleted {
			return out, true, nil
		}
		out.ReviewID = &ev.ReviewID
		if ev.Kind != live.ReviewDeleted {
			rev, err := r.Client.Review.Get(ctx, ev.ReviewID)
			if err != nil && !ent.IsNotFound(err) {
				// The subscribers must not miss the change: they refetch.
				return &model.ReviewEvent{Kind: model.ReviewEventKindReset, ProductID: productID}, true, nil
			}
			out.Review = rev
		}
		return out, true, nil
	})
}

// ratingSummaryChanged streams a product's rating summary whenever a rating of it changes, at
// most once per LiveInterval: the first change after a quiet interval goes out at once, a burst
// becomes one event. Its subscribers share one reader per product. Without the interval, a
// popular product rated 200 times a second would cost every subscriber 200 events a second —
// with 1,000 subscribers, more work than the ratings themselves, which it starved.
func (r *Resolver) ratingSummaryChanged(ctx context.Context, productID int) (<-chan *analytics.Stats, error) {
	if err := r.checkLive(ctx, productID); err != nil {
		return nil, err
	}
	ratings := live.Event.ChangesRatings
	read := func(ctx context.Context) (analytics.Stats, error) {
		m, err := r.Analytics.ProductRatings(ctx, []int{productID})
		return m[productID], err
	}
	return live.Watch(ctx, r.Live, fmt.Sprintf("summary|p%d", productID), productID, r.liveInterval(), ratings, read)
}

// ratingStatsChanged streams a scope's rating aggregate, at most once per LiveInterval.
func (r *Resolver) ratingStatsChanged(ctx context.Context, scope *model.RatingScope) (<-chan *analytics.Stats, error) {
	if r.Live == nil {
		return nil, errNoLive
	}
	var f analytics.Filter
	match := live.Event.ChangesRatings
	if scope != nil {
		f.ProductID, f.CategoryID = scope.ProductID, scope.CategoryID
	}
	if f.CategoryID != nil {
		// The subtree as it is now; a category moved later is not followed.
		ids, err := r.Client.Category.Query().Where(catalog.InSubtree(*f.CategoryID)).IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("category subtree: %w", err)
		}
		if len(ids) == 0 {
			return nil, apperr.InvalidField("scope.categoryID", "no category has this ID")
		}
		inTree := make(map[int]bool, len(ids))
		for _, id := range ids {
			inTree[id] = true
		}
		match = func(ev live.Event) bool { return ev.ChangesRatings() && inTree[ev.CategoryID] }
	}
	product, key := 0, "stats"
	if f.ProductID != nil {
		product = *f.ProductID
		if err := r.productExists(ctx, product, "scope.productID"); err != nil {
			return nil, err
		}
		key += fmt.Sprintf("|p%d", product)
	}
	if f.CategoryID != nil {
		key += fmt.Sprintf("|c%d", *f.CategoryID)
	}
	interval := r.liveInterval()
	// One read per scope and interval for the whole process, however many dashboards watch.
	read := func(ctx context.Context) (analytics.Stats, error) { return r.Analytics.FreshRatingStats(ctx, f) }
	return live.Watch(ctx, r.Live, key, product, interval, match, read)
}

// liveInterval is the shortest time between two events of one aggregate subscription.
func (r *Resolver) liveInterval() time.Duration {
	if r.LiveInterval <= 0 {
		return time.Second
	}
	return r.LiveInterval
}
