package graph

import (
	"context"
	"encoding/json"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/internal/catalog"
	"github.com/vitrinehq/vitrine/internal/loader"
)

// Product.reviews' first page — the common case: a product list with its newest reviews — is
// one statement for all the products of a request (catalog.ReviewPages through the
// ReviewPages loader). This file is all of it on the GraphQL side: the resolver, and the
// primer's part, which computes the same keys from the same page rules (checkSize, the default
// size, catalog.FirstReviewPageKey) before the resolvers run. The default order (newest first) is
// declared in the schema by ent/entc.go.

// productReviews serves Product.reviews: a first page from the request's ReviewPages loader;
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

// productReviewPages primes the first pages of Product.reviews under a list of products (and
// their total counts) with the keys productReviews will ask for.
func (p *primer) productReviewPages(f graphql.CollectedField, ps []*ent.Product) {
	first, hasFirst, orderBy, ok := firstPageArgs(f.ArgumentMap(p.oc.Variables))
	if !ok {
		return
	}
	// The page the resolver will serve, by checkPage's rules for a first page: the size is
	// checked by checkSize (a refused size loads nothing) and defaults to DefaultPageSize.
	size := DefaultPageSize
	if hasFirst {
		if checkSize("first", &first) != nil {
			return
		}
		size = first
	}
	for _, x := range ps {
		if key, ok := catalog.FirstReviewPageKey(x.ID, nil, &size, nil, nil, orderBy, nil); ok {
			p.reviewPages = append(p.reviewPages, key)
		}
	}
	for _, sub := range p.fields(f.Selections) {
		if sub.Name == "totalCount" {
			p.ids[loader.ReviewCounts] = appendIDs(p.ids[loader.ReviewCounts], ps, productID)
		}
	}
}

// firstPageArgs reads a reviews field's raw arguments (defaults applied, variables resolved)
// as the resolver gets them: first (when given) and the order; anything but a plain first
// page reports false. first is returned by value, so nothing of it escapes to the heap.
func firstPageArgs(args map[string]any) (first int, hasFirst bool, orderBy *ent.ReviewOrder, ok bool) {
	for _, name := range []string{"after", "before", "last", "where"} {
		if args[name] != nil {
			return 0, false, nil, false
		}
	}
	if v, given := args["first"]; given && v != nil {
		n, isInt := toInt(v)
		if !isInt {
			return 0, false, nil, false
		}
		first, hasFirst = n, true
	}
	m, _ := args["orderBy"].(map[string]any)
	field, _ := m["field"].(string)
	dir, _ := m["direction"].(string)
	if dir == "" {
		dir = "ASC"
	}
	var of ent.ReviewOrderField
	if of.UnmarshalGQL(field) != nil {
		return 0, false, nil, false
	}
	return first, hasFirst, &ent.ReviewOrder{Field: &of, Direction: entgql.OrderDirection(dir)}, true
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), n == float64(int(n))
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}
