// Package catalog is the catalog domain beyond what entgql generates: lookups by natural
// keys, category subtrees, full-text search, the first page of each product's reviews, and the
// validated writes (create, update, delete) of products and categories.
package catalog

import (
	"context"
	"fmt"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/category"
	"github.com/vitrinehq/vitrine/ent/predicate"
	"github.com/vitrinehq/vitrine/ent/product"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/live"
	"github.com/vitrinehq/vitrine/internal/relay"
)

// Catalog answers catalog reads. Its methods return NOT_FOUND and BAD_USER_INPUT *apperr.Error
// values for the client's mistakes and wrapped errors for everything else.
type Catalog struct {
	client  *ent.Client
	dialect string
	live    *live.Broker
}

// WithLive makes c publish the writes that change what subscriptions show — a product deleted
// or moved to another category — to b.
func (c *Catalog) WithLive(b *live.Broker) *Catalog {
	c.live = b
	return c
}

// New returns a Catalog over an ent client of the given dialect (search SQL differs).
func New(client *ent.Client, dialect string) *Catalog {
	return &Catalog{client: client, dialect: dialect}
}

// Page is a Relay page request, already checked by the GraphQL layer's pagination limits.
type Page struct {
	After, Before *relay.Cursor
	First, Last   *int
}

// Product returns a product by ID, eager-loading what the GraphQL selection asks for.
func (c *Catalog) Product(ctx context.Context, id int) (*ent.Product, error) {
	return c.oneProduct(ctx, product.ID(id), "no product has this ID")
}

// ProductBySlug returns a product by its slug.
func (c *Catalog) ProductBySlug(ctx context.Context, slug string) (*ent.Product, error) {
	return c.oneProduct(ctx, product.Slug(slug), "no product has the slug %q", slug)
}

func (c *Catalog) oneProduct(ctx context.Context, p predicate.Product, format string, args ...any) (*ent.Product, error) {
	q, err := c.client.Product.Query().Where(p).CollectFields(ctx)
	if err != nil {
		return nil, err
	}
	pr, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.Errorf(apperr.NotFound, format, args...)
	}
	return pr, err
}

// CategoryBySlug returns a category by its slug.
func (c *Catalog) CategoryBySlug(ctx context.Context, slug string) (*ent.Category, error) {
	q, err := c.client.Category.Query().Where(category.Slug(slug)).CollectFields(ctx)
	if err != nil {
		return nil, err
	}
	cat, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.Errorf(apperr.NotFound, "no category has the slug %q", slug)
	}
	return cat, err
}

// CategoryProducts pages through a category's products, or its whole subtree's. The direct
// case goes through entgql's generated edge method, which serves products already eager-loaded
// with their category (one windowed query for all categories of a request).
func (c *Catalog) CategoryProducts(ctx context.Context, cat *ent.Category, page Page, orderBy []*ent.ProductOrder, where *ent.ProductWhereInput, includeSubcategories bool) (*ent.ProductConnection, error) {
	if !includeSubcategories {
		return cat.Products(ctx, page.After, page.First, page.Before, page.Last, orderBy, where)
	}
	return c.client.Product.Query().Where(InCategoryTree(cat.ID)).
		Paginate(ctx, page.After, page.First, page.Before, page.Last,
			ent.WithProductOrder(orderBy), ent.WithProductFilter(where.Filter))
}

// InCategoryTree matches products of the category root and of all its descendants.
func InCategoryTree(root int) predicate.Product {
	return func(s *entsql.Selector) {
		s.Where(inSubtree(s.C(product.FieldCategoryID), root))
	}
}

// InSubtree matches the category root and all its descendants.
func InSubtree(root int) predicate.Category {
	return func(s *entsql.Selector) {
		s.Where(inSubtree(s.C(category.FieldID), root))
	}
}

// inSubtree is "column IN (ids of root's subtree)". The recursive CTE runs in the database
// (Postgres and SQLite both support it); UNION rather than UNION ALL stops at a cycle should
// one ever be written.
func inSubtree(column string, root int) *entsql.Predicate {
	return entsql.P(func(b *entsql.Builder) {
		b.Ident(column).
			WriteString(" IN (WITH RECURSIVE subtree(id) AS (SELECT id FROM categories WHERE id = ").
			Arg(root).
			WriteString(" UNION SELECT c.id FROM categories c JOIN subtree ON c.parent_id = subtree.id)" +
				" SELECT id FROM subtree)")
	})
}

// ProductsByID loads products by ID in one query and maps them by ID, for callers that ranked
// IDs in SQL and must keep their order. Missing IDs (deleted since) are absent from the map.
func ProductsByID(ctx context.Context, db *ent.Client, ids []int) (map[int]*ent.Product, error) {
	products, err := db.Product.Query().Where(product.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load products: %w", err)
	}
	byID := make(map[int]*ent.Product, len(products))
	for _, p := range products {
		byID[p.ID] = p
	}
	return byID, nil
}
