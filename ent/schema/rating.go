package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Rating is a user's 1–5 star score for a product; one per user per product.
type Rating struct {
	ent.Schema
}

// Mixin adds timestamps.
func (Rating) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the Rating.
func (Rating) Fields() []ent.Field {
	return []ent.Field{
		field.Int("stars").
			Range(1, 5),
		field.Int("product_id").
			Immutable().
			Annotations(entgql.Type("ID")),
		// Who rated is not published; only the caller sees their own rating (Product.myRating).
		field.Int("user_id").
			Immutable().
			Annotations(entgql.Skip()),
	}
}

// Edges of the Rating.
func (Rating) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("product", Product.Type).
			Ref("ratings").
			Field("product_id").
			Unique().
			Required().
			Immutable(),
		edge.From("user", User.Type).
			Ref("ratings").
			Field("user_id").
			Unique().
			Required().
			Immutable().
			Annotations(entgql.Skip()),
	}
}

// Indexes of the Rating.
func (Rating) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("product_id", "user_id").Unique(),
		// Covers rating summaries: count per (product, stars) without visiting the table.
		index.Fields("product_id", "stars"),
		index.Fields("user_id"),
		// Covers time-ranged analytics (stats and trends filter on the last change and read
		// stars and product): an index-only range scan instead of heap visits per rating.
		index.Fields("updated_at", "product_id", "stars"),
	}
}

// Annotations of the Rating.
func (Rating) Annotations() []schema.Annotation {
	return []schema.Annotation{
		// The database enforces the range too, so no writer can bypass the Go validator.
		entsql.Checks(map[string]string{"rating_stars_range": "stars >= 1 AND stars <= 5"}),
	}
}
