package graph

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"

	"github.com/vitrinehq/vitrine/ent/review"
	"github.com/vitrinehq/vitrine/ent/user"
)

func TestPageColumns(t *testing.T) {
	schema := gqlparser.MustLoadSchema(sources...)
	page := []string{"id", "product_id", "author_id", "created_at"} // always read, in review.Columns order
	tests := []struct {
		name, query      string
		reviews, authors []string
	}{
		{"NoReviewOrUser", `{ products(first: 1) { edges { node { name } } } }`, page, []string{"id"}},
		{"TitlesAndNames", `{ products(first: 1) { edges { node { reviews(first: 1) { edges { node { title author { id displayName } } } } } } } }`,
			[]string{"id", "created_at", "title", "product_id", "author_id"}, []string{"id", "display_name"}},
		{"CountsNeedNoColumn", `{ reviews(first: 1) { edges { node { author { reviewCount } } } } }`, page, []string{"id"}},
		{"Fragments", `{ reviews(first: 1) { edges { node { ...R author { ...A } } } } }
			fragment R on Review { body updatedAt } fragment A on User { createdAt email }`,
			[]string{"id", "created_at", "updated_at", "body", "product_id", "author_id"}, []string{"id", "created_at", "email"}},
		{"InlineFragmentOnNode", `{ node(id: "x") { ... on User { updatedAt role } } }`, page, []string{"id", "updated_at", "role"}},
		{"NestedFragments", `{ me { ...B } } fragment B on User { ...C } fragment C on User { displayName }`,
			page, []string{"id", "display_name"}},
		{"ReferencesByName", `{ reviews(first: 1) { edges { node { productID authorID } } } }`, page, []string{"id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQueryWithRules(schema, tt.query, nil)
			require.Empty(t, errs)
			cols := PageColumns(doc.Operations[0], doc.Fragments)
			require.ElementsMatch(t, tt.reviews, cols.Reviews, "reviews")
			require.ElementsMatch(t, tt.authors, cols.Authors, "authors")
		})
	}
	require.Zero(t, PageColumns(nil, nil), "no operation: every column")
}

// Every field of User and Review in the schema that shows a column is found: a field missed
// here would show an empty value on review pages.
func TestFieldColumnsCoverTheSchema(t *testing.T) {
	schema := gqlparser.MustLoadSchema(sources...)
	for _, tc := range []struct {
		typ     string
		byField map[string]string
		columns []string
		fields  []string // the schema's fields that show a column
	}{
		{"User", userFieldColumns, user.Columns, []string{"id", "createdAt", "updatedAt", "displayName", "email", "role"}},
		{"Review", reviewFieldColumns, review.Columns, []string{"id", "createdAt", "updatedAt", "title", "body", "productID", "authorID"}},
	} {
		var found []string
		for _, f := range schema.Types[tc.typ].Fields {
			if c, ok := tc.byField[strings.ToLower(f.Name)]; ok {
				require.True(t, slices.Contains(tc.columns, c), "%s.%s maps to %s, not a column", tc.typ, f.Name, c)
				found = append(found, f.Name)
			}
		}
		require.ElementsMatch(t, tc.fields, found, tc.typ)
		require.Len(t, tc.byField, len(tc.columns)-btoi(tc.typ == "User"), "every column but the password hash has a field")
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
