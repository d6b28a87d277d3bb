package graph

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"

	"github.com/vitrinehq/vitrine/ent"
)

func TestAuthorColumns(t *testing.T) {
	schema := gqlparser.MustLoadSchema(sources...)
	tests := []struct {
		name, query string
		want        []string
	}{
		{"NoUser", `{ products(first: 1) { edges { node { name } } } }`, []string{"id"}},
		{"NameOnly", `{ products(first: 1) { edges { node { reviews(first: 1) { edges { node { author { id displayName } } } } } } } }`,
			[]string{"id", "display_name"}},
		{"CountsNeedNoColumn", `{ reviews(first: 1) { edges { node { author { reviewCount } } } } }`, []string{"id"}},
		{"Fragment", `{ reviews(first: 1) { edges { node { author { ...A } } } } } fragment A on User { createdAt email }`,
			[]string{"id", "created_at", "email"}},
		{"InlineFragmentOnNode", `{ node(id: "x") { ... on User { updatedAt role } } }`, []string{"id", "updated_at", "role"}},
		{"NestedFragments", `{ me { ...B } } fragment B on User { ...C } fragment C on User { displayName }`,
			[]string{"id", "display_name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQueryWithRules(schema, tt.query, nil)
			require.Empty(t, errs)
			require.Equal(t, tt.want, authorColumns(doc.Operations[0], doc.Fragments))
		})
	}
	require.Nil(t, authorColumns(nil, nil), "no operation: every column")
}

// Every User field of the schema that gqlgen reads from a field of ent.User must be mapped to that
// field's column; otherwise a review's author would show it empty.
func TestUserFieldColumnsCoverTheSchema(t *testing.T) {
	schema := gqlparser.MustLoadSchema(sources...)
	structFields := map[string]string{} // lower-cased Go name → column
	ut := reflect.TypeOf(ent.User{})
	for i := range ut.NumField() {
		f := ut.Field(i)
		if col, _, _ := strings.Cut(f.Tag.Get("json"), ","); col != "" && col != "-" && col != "edges" {
			structFields[strings.ToLower(f.Name)] = col
		}
	}
	checked := 0
	for _, f := range schema.Types["User"].Fields {
		col, ok := structFields[strings.ToLower(f.Name)]
		if !ok {
			continue
		}
		checked++
		require.Equal(t, col, userFieldColumns[f.Name], "User.%s shows column %s", f.Name, col)
	}
	require.GreaterOrEqual(t, checked, 6, "id, createdAt, updatedAt, displayName, email, role")
}
