package schema

import (
	"math"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Product is a sellable catalog item.
type Product struct {
	ent.Schema
}

// Mixin adds timestamps.
func (Product) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the Product.
func (Product) Fields() []ent.Field {
	return []ent.Field{
		field.String("sku").
			NotEmpty().
			MaxLen(64).
			Annotations(entgql.OrderField("SKU")),
		field.String("name").
			NotEmpty().
			Validate(maxChars(200)).
			Annotations(entgql.OrderField("NAME")),
		field.String("slug").
			MaxLen(200).
			Match(SlugPattern),
		field.Text("description").
			Default(""),
		// Money is an integer count of the currency's minor units, never a float. The GraphQL
		// type exposes it as a Money object (schema.graphql); filters and ordering use minor units.
		field.Int64("price").
			NonNegative().
			Max(math.MaxInt32). // GraphQL Int is 32-bit
			Annotations(
				entgql.OrderField("PRICE"),
				entgql.Skip(entgql.SkipType),
			),
		field.String("currency").
			Match(currencyPattern).
			Default("USD").
			Annotations(entgql.Skip(entgql.SkipType, entgql.SkipWhereInput)),
		field.Int("stock").
			NonNegative().
			Max(math.MaxInt32).
			Default(0).
			Annotations(entgql.OrderField("STOCK")),
		field.String("image_url").
			Optional().
			MaxLen(2048).
			Annotations(entgql.MapsTo("imageURL")),
		field.Int("category_id").
			Annotations(entgql.Type("ID")),
	}
}

// Edges of the Product.
func (Product) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("category", Category.Type).
			Ref("products").
			Field("category_id").
			Unique().
			Required(),
		// Deleting a product deletes its reviews and ratings in the database itself.
		// Product.reviews is declared in schema.graphql: its first pages are loaded for all
		// products of a request with one LATERAL query instead of entgql's window function.
		edge.To("reviews", Review.Type).
			Annotations(
				entsql.OnDelete(entsql.Cascade),
				entgql.Skip(entgql.SkipType, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
			),
		edge.To("ratings", Rating.Type).
			Annotations(entgql.Skip(), entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the Product.
func (Product) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("sku").Unique(),
		index.Fields("slug").Unique(),
		// With the id, a category subtree's products are an index-only scan: analytics rank and
		// count them without reading the (wide) product rows.
		index.Fields("category_id", "id"),
		index.Fields("price"),
		index.Fields("name"),
		index.Fields("created_at"),
	}
}

// Annotations of the Product.
func (Product) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.QueryField(),
		entgql.MultiOrder(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
