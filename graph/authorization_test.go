package graph_test

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vitrinehq/vitrine/graph"
)

// guardedWithBadArguments calls every @auth root field with an argument that cannot be
// decoded (a malformed ID): whether the caller may call the field is answered first, so a
// stranger learns nothing about which arguments would pass.
var guardedWithBadArguments = []struct {
	field     string
	doc       string
	adminOnly bool
}{
	{"createProduct", `mutation { createProduct(input: {sku: "S", name: "N", slug: "n", price: 1, categoryID: "nope"}) { id } }`, true},
	{"updateProduct", `mutation { updateProduct(id: "nope", input: {categoryID: "nope"}) { id } }`, true},
	{"deleteProduct", `mutation { deleteProduct(id: "nope") }`, true},
	{"createCategory", `mutation { createCategory(input: {name: "N", slug: "n", parentID: "nope"}) { id } }`, true},
	{"updateCategory", `mutation { updateCategory(id: "nope", input: {parentID: "nope"}) { id } }`, true},
	{"deleteCategory", `mutation { deleteCategory(id: "nope") }`, true},
	{"addReview", `mutation { addReview(input: {productID: "nope", title: "T", body: "B"}) { id } }`, false},
	{"updateReview", `mutation { updateReview(id: "nope", input: {body: "B"}) { id } }`, false},
	{"deleteReview", `mutation { deleteReview(id: "nope") }`, false},
	{"rateProduct", `mutation { rateProduct(productID: "nope", stars: 4) { stars } }`, false},
	{"deleteRating", `mutation { deleteRating(productID: "nope") }`, false},
	{"quizStats", `{ quizStats(quizID: "nope") { submissionCount } }`, true},
	{"createQuiz", `mutation { createQuiz(input: {title: "T", slug: "t", questions: [{id: "nope", prompt: "P", options: [{label: "A"}, {label: "B"}]}]}) { id } }`, true},
	{"updateQuiz", `mutation { updateQuiz(id: "nope", input: {title: "T", slug: "t", questions: []}) { id } }`, true},
	{"publishQuiz", `mutation { publishQuiz(id: "nope") { id } }`, true},
	{"unpublishQuiz", `mutation { unpublishQuiz(id: "nope") { id } }`, true},
	{"deleteQuiz", `mutation { deleteQuiz(id: "nope") }`, true},
}

func TestAuthorizationBeforeArguments(t *testing.T) {
	t.Run("EveryGuardedRootFieldIsListed", func(t *testing.T) {
		schema := graph.NewExecutableSchema(graph.Config{}).Schema()
		var guarded, listed []string
		for _, root := range []*ast.Definition{schema.Query, schema.Mutation} {
			for _, f := range root.Fields {
				if f.Directives.ForName("auth") != nil {
					guarded = append(guarded, f.Name)
				}
			}
		}
		for _, g := range guardedWithBadArguments {
			listed = append(listed, g.field)
		}
		sort.Strings(guarded)
		sort.Strings(listed)
		require.Equal(t, guarded, listed)
		// Below the root, @auth runs as a directive, after gqlgen has decoded the field's
		// arguments: a guarded field there must take none, or the order would matter again.
		for _, def := range schema.Types {
			if def == schema.Query || def == schema.Mutation {
				continue
			}
			for _, f := range def.Fields {
				if f.Directives.ForName("auth") != nil {
					require.Empty(t, f.Arguments, "%s.%s has @auth and arguments: authorize it before they are decoded", def.Name, f.Name)
				}
			}
		}
	})
	eachStore(t, func(t *testing.T, e *env) {
		user, admin := e.asUser(t, e.fx.users[1]), e.asUser(t, e.fx.users[0])
		for _, g := range guardedWithBadArguments {
			t.Run(g.field, func(t *testing.T) {
				got := e.gql.MustError(t, "UNAUTHENTICATED", g.doc, nil)
				require.Equal(t, []any{g.field}, got.Path)
				if g.adminOnly {
					got = user.MustError(t, "FORBIDDEN", g.doc, nil)
					require.Equal(t, []any{g.field}, got.Path)
				}
				// Allowed callers get to the arguments, and are told what is wrong with them.
				caller := user
				if g.adminOnly {
					caller = admin
				}
				caller.MustError(t, "BAD_USER_INPUT", g.doc, nil)
			})
		}
	})
}
