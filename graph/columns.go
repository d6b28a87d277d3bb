package graph

import (
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vitrinehq/vitrine/ent/user"
)

// userFieldColumns maps the User fields that show a column of the users table to it: entgql
// names a field after its column in lower camel case (display_name is displayName). Every other
// User field (reviews, reviewCount, …) is resolved from the id.
var userFieldColumns = func() map[string]string {
	m := make(map[string]string, len(user.Columns))
	for _, c := range user.Columns {
		m[lowerCamel(c)] = c
	}
	return m
}()

func lowerCamel(column string) string {
	out := make([]byte, 0, len(column))
	upper := false
	for i := 0; i < len(column); i++ {
		switch ch := column[i]; {
		case ch == '_':
			upper = true
		case upper && 'a' <= ch && ch <= 'z':
			out = append(out, ch-'a'+'A')
			upper = false
		default:
			out = append(out, ch)
			upper = false
		}
	}
	return string(out)
}

// authorColumns are the users' columns the operation can show: the id, and the column of every
// User field it selects anywhere, through fragments too. Review pages read their authors with
// them (catalog.ReviewPages), so a page that shows its authors' names does not decode their
// timestamps and e-mails. It is a superset of what any one author needs, which keeps it
// correct whatever the path to the author. nil (every column) when there is no operation.
func authorColumns(op *ast.OperationDefinition, fragments ast.FragmentDefinitionList) []string {
	if op == nil {
		return nil
	}
	want := map[string]bool{user.FieldID: true}
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				if sel.ObjectDefinition != nil && sel.ObjectDefinition.Name == "User" {
					if c, ok := userFieldColumns[sel.Name]; ok {
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
	for _, c := range user.Columns {
		if want[c] {
			cols = append(cols, c)
		}
	}
	return cols
}
