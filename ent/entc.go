//go:build ignore

// Command entc generates the ent client and the entgql GraphQL schema (graph/ent.graphql).
package main

import (
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
		entgql.WithSchemaHook(newestReviewsFirst),
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
		def := s.Types[typ]
		if def == nil {
			continue
		}
		f := def.Fields.ForName("reviews")
		if f == nil {
			continue
		}
		if arg := f.Arguments.ForName("orderBy"); arg != nil {
			arg.DefaultValue = &ast.Value{Kind: ast.ObjectValue, Children: ast.ChildValueList{
				{Name: "field", Value: &ast.Value{Kind: ast.EnumValue, Raw: "CREATED_AT"}},
				{Name: "direction", Value: &ast.Value{Kind: ast.EnumValue, Raw: "DESC"}},
			}}
		}
	}
	return nil
}
