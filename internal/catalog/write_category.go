package catalog

import (
	"context"
	"fmt"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/category"
	"github.com/vitrinehq/vitrine/internal/apperr"
)

func checkCategory(name, slug *string) error {
	var c check
	c.text("name", name, 1, maxNameLen)
	c.slug("slug", slug)
	return c.err
}

// CreateCategory adds a category, optionally under a parent.
func (c *Catalog) CreateCategory(ctx context.Context, in ent.CreateCategoryInput) (*ent.Category, error) {
	if err := checkCategory(&in.Name, &in.Slug); err != nil {
		return nil, err
	}
	db := c.client.For(ctx)
	if err := checkCategorySlug(ctx, db, 0, &in.Slug); err != nil {
		return nil, err
	}
	if in.ParentID != nil {
		if err := c.checkCategoryExists(ctx, db, "parentID", *in.ParentID); err != nil {
			return nil, err
		}
	}
	return db.Category.Create().SetInput(in).Save(ctx)
}

// UpdateCategory changes only the fields given. Moving a category under itself or one of its
// descendants would cut the subtree off the tree, so it is refused.
func (c *Catalog) UpdateCategory(ctx context.Context, id int, in ent.UpdateCategoryInput) (*ent.Category, error) {
	if err := checkCategory(in.Name, in.Slug); err != nil {
		return nil, err
	}
	db := c.client.For(ctx)
	if err := checkCategorySlug(ctx, db, id, in.Slug); err != nil {
		return nil, err
	}
	if in.ParentID != nil {
		if err := c.checkCategoryExists(ctx, db, "parentID", *in.ParentID); err != nil {
			return nil, err
		}
		inside, err := db.Category.Query().Where(category.ID(*in.ParentID), InSubtree(id)).Exist(ctx)
		if err != nil {
			return nil, fmt.Errorf("check parent: %w", err)
		}
		if inside {
			return nil, apperr.InvalidField("parentID", "a category cannot be moved under itself or one of its subcategories")
		}
	}
	cat, err := db.Category.UpdateOneID(id).SetInput(in).Save(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.Errorf(apperr.NotFound, "no category has this ID")
	}
	return cat, err
}

// DeleteCategory deletes an empty category: one with neither products nor subcategories.
func (c *Catalog) DeleteCategory(ctx context.Context, id int) error {
	db := c.client.For(ctx)
	cat, err := db.Category.Get(ctx, id)
	if ent.IsNotFound(err) {
		return apperr.Errorf(apperr.NotFound, "no category has this ID")
	}
	if err != nil {
		return err
	}
	products, err := cat.QueryProducts().Count(ctx)
	if err != nil {
		return fmt.Errorf("count products: %w", err)
	}
	children, err := cat.QueryChildren().Count(ctx)
	if err != nil {
		return fmt.Errorf("count children: %w", err)
	}
	if products > 0 || children > 0 {
		return apperr.Errorf(apperr.Conflict,
			"category %q still has %d products and %d subcategories; move or delete them first", cat.Slug, products, children)
	}
	return db.Category.DeleteOneID(id).Exec(ctx)
}

func checkCategorySlug(ctx context.Context, db *ent.Client, self int, slug *string) error {
	if slug == nil {
		return nil
	}
	taken, err := db.Category.Query().Where(category.Slug(*slug), category.IDNEQ(self)).Exist(ctx)
	if err != nil {
		return fmt.Errorf("check slug: %w", err)
	}
	if taken {
		return apperr.InvalidField("slug", "another category already has the slug %q", *slug)
	}
	return nil
}
