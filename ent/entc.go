//go:build ignore

// Command entc generates the ent client and the entgql GraphQL schema (graph/ent.graphql).
package main

import (
	"fmt"
	"log"

	"github.com/vektah/gqlparser/v2/ast"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithConfigPath("../gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("../graph/ent.graphql"),
		entgql.WithWhereInputs(true),
		entgql.WithNodeDescriptor(false),
		entgql.WithSchemaHook(newestReviewsFirst, categoryProductsInTree, federationEntities, timeIsHandWritten),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	err = entc.Generate("./schema", &gen.Config{
		Features: []gen.Feature{
			gen.FeatureGlobalID,
			gen.FeatureUpsert,
			gen.FeatureModifier,
			gen.FeatureExecQuery,
			gen.FeatureVersionedMigration,
		},
	}, entc.Extensions(ex))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}

// newestReviewsFirst makes every reviews connection default to newest first. Declaring the
// default in the SDL (rather than in a resolver) documents it in the schema and lets entgql's
// eager loading order nested reviews the same way.
func newestReviewsFirst(_ *gen.Graph, s *ast.Schema) error {
	for _, typ := range []string{"Query", "Product", "User"} {
		if arg := argument(s, typ, "reviews", "orderBy"); arg != nil {
			arg.DefaultValue = newestFirst()
		}
	}
	return nil
}

// categoryProductsInTree adds includeSubcategories to Category.products (resolved by hand when
// true; eager-loaded by entgql otherwise) and lists newest products first by default.
func categoryProductsInTree(_ *gen.Graph, s *ast.Schema) error {
	f := s.Types["Category"].Fields.ForName("products")
	if f == nil {
		return fmt.Errorf("Category.products is not generated")
	}
	f.Description = "Products in this category, newest first unless orderBy says otherwise. With " +
		"includeSubcategories, products of every descendant category are included too."
	if arg := f.Arguments.ForName("orderBy"); arg != nil {
		arg.DefaultValue = &ast.Value{Kind: ast.ListValue, Children: ast.ChildValueList{{Value: newestFirst()}}}
	}
	f.Arguments = append(f.Arguments, &ast.ArgumentDefinition{
		Name:         "includeSubcategories",
		Description:  "Include the products of all descendant categories.",
		Type:         ast.NonNullNamedType("Boolean", nil),
		DefaultValue: &ast.Value{Kind: ast.BooleanValue, Raw: "false"},
	})
	return nil
}

func argument(s *ast.Schema, typ, field, arg string) *ast.ArgumentDefinition {
	def := s.Types[typ]
	if def == nil {
		return nil
	}
	f := def.Fields.ForName(field)
	if f == nil {
		return nil
	}
	return f.Arguments.ForName(arg)
}

func newestFirst() *ast.Value {
	return &ast.Value{Kind: ast.ObjectValue, Children: ast.ChildValueList{
		{Name: "field", Value: &ast.Value{Kind: ast.EnumValue, Raw: "CREATED_AT"}},
		{Name: "direction", Value: &ast.Value{Kind: ast.EnumValue, Raw: "DESC"}},
	}}
}

// federationEntities marks the types other subgraphs of an Apollo Federation 2 supergraph may
// reference or extend by ID (@key), and PageInfo as a value type every Relay subgraph
// declares alike (@shareable). The directives go on the generated definitions themselves:
// @shareable on a type only covers the fields of the definition it is written on.
func federationEntities(_ *gen.Graph, s *ast.Schema) error {
	for _, name := range []string{"Product", "Category", "Review", "User", "Quiz"} {
		def := s.Types[name]
		if def == nil {
			return fmt.Errorf("federation entity %s is not generated", name)
		}
		def.Directives = append(def.Directives, &ast.Directive{
			Name: "key",
			Arguments: ast.ArgumentList{{
				Name:  "fields",
				Value: &ast.Value{Kind: ast.StringValue, Raw: "id"},
			}},
		})
	}
	pageInfo := s.Types["PageInfo"]
	if pageInfo == nil {
		return fmt.Errorf("PageInfo is not generated")
	}
	pageInfo.Directives = append(pageInfo.Directives, &ast.Directive{Name: "shareable"})
	return nil
}

// timeIsHandWritten drops the Time scalar entgql adds when it cannot see it declared:
// schema.graphql declares it, but entgql reads the hand-written SDL without gqlgen's federation
// plugin, so the federation directives there (@link, and @key above) fail its load and it
// assumes Time is missing. gqlgen, which loads both files, would then see Time twice.
func timeIsHandWritten(_ *gen.Graph, s *ast.Schema) error {
	delete(s.Types, "Time")
	return nil
}
