package graph

import (
	"reflect"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/review"
	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/internal/catalog"
)

// Review pages (catalog.ReviewPages) read only the columns of reviews and of their authors that
// the operation can show: a page holds hundreds of each, and decoding columns nobody asked for
// (timestamps above all) was a good part of a request's CPU.
var (
	userFieldColumns   = fieldColumns(ent.User{}, user.Columns)
	reviewFieldColumns = fieldColumns(ent.Review{}, review.Columns)
)

// fieldColumns maps the lower-cased name of each field of an ent entity's struct to its column:
// gqlgen binds a GraphQL field to the struct field of the same name, case aside (displayName to
// DisplayName, productID to ProductID), and ent tags each with its column. Fields that are not
// columns (edges, resolvers such as reviewCount) are resolved from the id.
func fieldColumns(entity any, columns []string) map[string]string {
	m := map[string]string{}
	t := reflect.TypeOf(entity)
	for i := range t.NumField() {
		f := t.Field(i)
		col, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		for _, c := range columns {
			if c == col {
				m[strings.ToLower(f.Name)] = col
			}
		}
	}
	return m
}

// selectedColumns are the columns of typeName's table that the operation can show: those given,
// and the column of every typeName field it selects anywhere, through fragments too. It is a
// superset of what any one object of the type needs, which keeps it correct whatever the path to
// the object.
func selectedColumns(op *ast.OperationDefinition, fragments ast.FragmentDefinitionList, typeName string, byField map[string]string, columns []string, always ...string) []string {
	want := map[string]bool{}
	for _, c := range always {
		want[c] = true
	}
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				if sel.ObjectDefinition != nil && sel.ObjectDefinition.Name == typeName {
					if c, ok := byField[strings.ToLower(sel.Name)]; ok {
						want[c] = true
					}
				}
				walk(sel.SelectionSet)
			case *ast.InlineFragment:
				walk(sel.SelectionSet)
			case *ast.FragmentSpread:
				if seen[sel.Name] {
					continue
				}
				seen[sel.Name] = true
				if f := fragments.ForName(sel.Name); f != nil {
					walk(f.SelectionSet)
				}
			}
		}
	}
	walk(op.SelectionSet)
	cols := make([]string, 0, len(want))
	for _, c := range columns {
		if want[c] {
			cols = append(cols, c)
		}
	}
	return cols
}

// PageColumns are the columns review pages read for the operation (the request's loaders are
// made with them): of reviews, besides the fields it selects, those a page is built from (ids,
// the product it belongs to, its author, and the order column of its cursors); of authors, the id
// and the fields it selects. Without an operation, every column.
func PageColumns(op *ast.OperationDefinition, fragments ast.FragmentDefinitionList) catalog.PageColumns {
	if op == nil {
		return catalog.PageColumns{}
	}
	return catalog.PageColumns{
		Reviews: selectedColumns(op, fragments, "Review", reviewFieldColumns, review.Columns,
			review.FieldID, review.FieldProductID, review.FieldAuthorID, review.FieldCreatedAt),
		Authors: selectedColumns(op, fragments, "User", userFieldColumns, user.Columns, user.FieldID),
	}
}
