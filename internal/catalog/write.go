package catalog

import (
	"context"
	"fmt"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/category"
	"github.com/vitrinehq/vitrine/ent/product"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/live"
)

func int64Ptr(v *int) *int64 {
	if v == nil {
		return nil
	}
	n := int64(*v)
	return &n
}

func checkProduct(sku, name, slug, desc, currency, imageURL *string, price *int64, stock *int) error {
	var c check
	c.text("sku", sku, 1, maxSKULen)
	c.text("name", name, 1, maxNameLen)
	c.slug("slug", slug)
	c.text("description", desc, 0, maxDescriptionLen)
	c.nonNegative("price", price, maxMinorUnits)
	c.nonNegative("stock", int64Ptr(stock), maxMinorUnits)
	c.currency("currency", currency)
	c.url("imageURL", imageURL)
	return c.err
}

// CreateProduct adds a product. SKU and slug must be unique; the category must exist.
func (c *Catalog) CreateProduct(ctx context.Context, in ent.CreateProductInput) (*ent.Product, error) {
	if err := checkProduct(&in.Sku, &in.Name, &in.Slug, in.Description, in.Currency, in.ImageURL, &in.Price, in.Stock); err != nil {
		return nil, err
	}
	db := c.client.For(ctx)
	if err := c.checkProductKeys(ctx, db, 0, &in.Sku, &in.Slug); err != nil {
		return nil, err
	}
	if err := c.checkCategoryExists(ctx, db, "categoryID", in.CategoryID); err != nil {
		return nil, err
	}
	return db.Product.Create().SetInput(in).Save(ctx)
}

// UpdateProduct changes only the fields given.
func (c *Catalog) UpdateProduct(ctx context.Context, id int, in ent.UpdateProductInput) (*ent.Product, error) {
	if err := checkProduct(in.Sku, in.Name, in.Slug, in.Description, in.Currency, in.ImageURL, in.Price, in.Stock); err != nil {
		return nil, err
	}
	db := c.client.For(ctx)
	if err := c.checkProductKeys(ctx, db, id, in.Sku, in.Slug); err != nil {
		return nil, err
	}
	from := 0
	if in.CategoryID != nil {
		if err := c.checkCategoryExists(ctx, db, "categoryID", *in.CategoryID); err != nil {
			return nil, err
		}
		var err error
		if from, err = c.productCategory(ctx, db, id); err != nil {
			return nil, fmt.Errorf("product's category: %w", err)
		}
	}
	p, err := db.Product.UpdateOneID(id).SetInput(in).Save(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.Errorf(apperr.NotFound, "no product has this ID")
	}
	if err == nil && from != 0 && from != p.CategoryID {
		// Its ratings leave one subtree's aggregates and join another's.
		c.live.Publish(ctx, live.Event{Kind: live.RatingChanged, ProductID: id, CategoryID: from})
		c.live.Publish(ctx, live.Event{Kind: live.RatingChanged, ProductID: id, CategoryID: p.CategoryID})
	}
	return p, err
}

// productCategory returns the category of product id (0 when there is no such product: the
// update then answers NOT_FOUND) when events need it, and costs nothing otherwise.
func (c *Catalog) productCategory(ctx context.Context, db *ent.Client, id int) (int, error) {
	if c.live == nil {
		return 0, nil
	}
	ids, err := db.Product.Query().Where(product.ID(id)).Select(product.FieldCategoryID).Ints(ctx)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// DeleteProduct deletes a product; the database cascades to its reviews and ratings. Its
// subscribers get a last event, and the aggregates of its category change.
func (c *Catalog) DeleteProduct(ctx context.Context, id int) error {
	db := c.client.For(ctx)
	cat, err := c.productCategory(ctx, db, id)
	if err != nil {
		return fmt.Errorf("product's category: %w", err)
	}
	err = db.Product.DeleteOneID(id).Exec(ctx)
	if ent.IsNotFound(err) {
		return apperr.Errorf(apperr.NotFound, "no product has this ID")
	}
	if err == nil {
		c.live.Publish(ctx, live.Event{Kind: live.ProductDeleted, ProductID: id, CategoryID: cat})
	}
	return err
}

// checkProductKeys reports a taken SKU or slug by name. The unique indexes still decide races.
func (c *Catalog) checkProductKeys(ctx context.Context, db *ent.Client, self int, sku, slug *string) error {
	if sku != nil {
		taken, err := db.Product.Query().Where(product.Sku(*sku), product.IDNEQ(self)).Exist(ctx)
		if err != nil {
			return fmt.Errorf("check sku: %w", err)
		}
		if taken {
			return apperr.InvalidField("sku", "another product already has the SKU %q", *sku)
		}
	}
	if slug != nil {
		taken, err := db.Product.Query().Where(product.Slug(*slug), product.IDNEQ(self)).Exist(ctx)
		if err != nil {
			return fmt.Errorf("check slug: %w", err)
		}
		if taken {
			return apperr.InvalidField("slug", "another product already has the slug %q", *slug)
		}
	}
	return nil
}

func (c *Catalog) checkCategoryExists(ctx context.Context, db *ent.Client, field string, id int) error {
	ok, err := db.Category.Query().Where(category.ID(id)).Exist(ctx)
	if err != nil {
		return fmt.Errorf("check category: %w", err)
	}
	if !ok {
		return apperr.InvalidField(field, "no category has this ID")
	}
	return nil
}
