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

// User is an account: a shopper who reviews and rates, or an admin who manages the catalog.
type User struct {
	ent.Schema
}

// Mixin adds timestamps.
func (User) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		// Stored normalised (trimmed, lower-cased) so uniqueness is case-insensitive. Not
		// filterable or orderable through the public API, which would let anyone enumerate it.
		field.String("email").
			NotEmpty().
			MaxLen(254).
			Annotations(entgql.Skip()),
		field.String("display_name").
			NotEmpty().
			Validate(maxChars(100)).
			Annotations(entgql.OrderField("DISPLAY_NAME")),
		field.String("password_hash").
			Sensitive().
			Annotations(entgql.Skip()),
		// Visible only to the user and admins, so schema.graphql declares it by hand.
		field.Enum("role").
			Values("USER", "ADMIN").
			Default("USER").
			Annotations(entgql.Skip()),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("reviews", Review.Type).
			Annotations(entgql.RelayConnection(), entsql.OnDelete(entsql.Cascade)),
		// Individual ratings are not published per user; aggregates are.
		edge.To("ratings", Rating.Type).
			Annotations(entgql.Skip(), entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the User.
func (User) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("email").Unique(),
	}
}

// Annotations of the User.
func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
	}
}
