package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Review is a user's written opinion of a product; one per author per product.
type Review struct {
	ent.Schema
}

// Mixin adds timestamps.
func (Review) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the Review.
func (Review) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").
			Validate(maxChars(200)),
		field.String("body").
			NotEmpty().
			Validate(maxChars(10000)),
		field.Int("product_id").
			Immutable().
			Annotations(entgql.Type("ID")),
		field.Int("author_id").
			Immutable().
			Annotations(entgql.Type("ID")),
	}
}

// Edges of the Review.
func (Review) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("product", Product.Type).
			Ref("reviews").
			Field("product_id").
			Unique().
			Required().
			Immutable(),
		edge.From("author", User.Type).
			Ref("reviews").
			Field("author_id").
			Unique().
			Required().
			Immutable(),
	}
}

// Indexes of the Review.
func (Review) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("product_id", "author_id").Unique(),
		index.Fields("author_id"),
		// Serves "newest reviews of a product" by a backward index-only scan, id included so
		// ties on created_at need no sort either.
		index.Fields("product_id", "created_at", "id"),
		index.Fields("created_at"),
	}
}

// Annotations of the Review.
func (Review) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.QueryField(),
	}
}
