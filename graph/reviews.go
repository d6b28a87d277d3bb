package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/internal/catalog"
	"github.com/vitrinehq/vitrine/internal/loader"
)

// productReviews serves Product.reviews. A first page (the common case: a product list with its
// newest reviews) comes from the request's ReviewPages loader, one statement for all products;
// anything else (cursors, filters, last) pages through entgql for this product alone.
func productReviews(ctx context.Context, p *ent.Product, page catalog.Page, orderBy *ent.ReviewOrder, where *ent.ReviewWhereInput) (*ent.ReviewConnection, error) {
	key, ok := catalog.FirstReviewPageKey(p.ID, page.After, page.First, page.Before, page.Last, orderBy, where)
	l := loader.FromContext(ctx)
	if !ok || l == nil {
		return p.QueryReviews().Paginate(ctx, page.After, page.First, page.Before, page.Last,
			ent.WithReviewOrder(orderBy), ent.WithReviewFilter(where.Filter))
	}
	rows, err := l.ReviewPages.Load(ctx, key)
	if err != nil {
		return nil, err
	}
	conn := catalog.ReviewConnection(p, rows, key.First, orderBy)
	if selects(ctx, "totalCount") {
		if conn.TotalCount, err = l.ProductReviews.Load(ctx, p.ID); err != nil {
			return nil, err
		}
	}
	return conn, nil
}

// selects reports whether the current field's selection includes a direct subfield.
func selects(ctx context.Context, name string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}
