package schemadiff_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/schemadiff"
)

const base = `
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT
interface Node { id: ID! }
type Query {
  product(id: ID!): Product
  search(query: String!, first: Int = 20): [Product!]!
}
type Product implements Node { id: ID! name: String! price: Int tags: [String!] }
enum Sort { NAME PRICE }
union Result = Product
input Filter { minPrice: Int name: String! }
`

func TestCompare(t *testing.T) {
	cases := []struct {
		name string
		// edit replaces one string of base to make the new schema.
		from, to string
		want     []schemadiff.Change
	}{
		{"TypeRemoved", "enum Sort { NAME PRICE }", "", []schemadiff.Change{{Severity: schemadiff.Breaking, Path: "Sort", Message: "type Sort was removed"}}},
		{"KindChanged", "enum Sort { NAME PRICE }", "scalar Sort", []schemadiff.Change{{Severity: schemadiff.Breaking, Path: "Sort", Message: "Sort changed from enum to scalar"}}},
		{"FieldRemoved", "price: Int ", "", []schemadiff.Change{{Severity: schemadiff.Breaking, Path: "Product.price", Message: "field Product.price was removed"}}},
		{"OutputBecameNullable", "name: String! price", "name: String price", []schemadiff.Change{{Severity: schemadiff.Breaking, Path: "Product.name", Message: "type changed from String! to String"}}},
		{"OutputBecameNonNullIsSafe", "price: Int ", "price: Int! ", nil},
		{"OutputTypeChanged", "price: Int ", "price: Float ", []schemadiff.Change{{Severity: schemadiff.Breaking, Path: "Product.price", Message: "type changed from Int to Float"}}},
		{"ListElementBecameNullable", "tags: [String!]", "tags: [String]", []schemadiff.Change{{Severity: schemadiff.Breaking, Path: "Product.tags", Message: "type changed from [String!] to [String]"}}},
		{"ArgumentRemoved", "first: Int = 20", "", []schemadiff.Change{{Severity: schemadiff.Breaking, Path: "Query.search(first:)", Message: "argument first was removed"}}},
		{"ArgumentBecameRequired", "first: Int = 20", "first: Int! = 20", []schemadiff.Change{{Severity: schemadiff.Breaking, Path: "Query.search(first:)", Message: "type changed from Int to Int!"}}},
		{"ArgumentBecameOptionalIsSafe", "query: String!", "query: String", nil},
		{"RequiredArgumentAdded", "product(id: ID!)", "product(id: ID!, locale: String!)", []schemadiff.Change{{Severity: schemadiff.Breaking, Path: "Query.product(locale:)", Message: "required argument locale was added"}}},
		{"OptionalArgumentAdded", "product(id: ID!)", "product(id: ID!, locale: String)", []schemadiff.Change{{Severity: schemadiff.Dangerous, Path: "Query.product(locale:)", Message: "optional argument locale was added"}}},
		{"DefaultChanged", "first: Int = 20", "first: Int = 50", []schemadiff.Change{{Severity: schemadiff.Dangerous, Path: "Query.search(first:)", Message: "default value changed from 20 to 50"}}},
		{"EnumValueRemoved", "NAME PRICE", "NAME", []schemadiff.Change{{Severity: schemadiff.Breaking, Path: "Sort.PRICE", Message: "enum value PRICE was removed from Sort"}}},
		{"EnumValueAdded", "NAME PRICE", "NAME PRICE RATING", []schemadiff.Change{{Severity: schemadiff.Dangerous, Path: "Sort.RATING", Message: "enum value RATING was added to Sort: clients may not handle it"}}},
		{"UnionMemberAdded", "union Result = Product", "union Result = Product | Sorted\ntype Sorted { n: Int }", []schemadiff.Change{{Severity: schemadiff.Dangerous, Path: "Result", Message: "Sorted was added to union Result: clients may not handle it"}}},
		{"InterfaceRemoved", "Product implements Node", "Product", []schemadiff.Change{{Severity: schemadiff.Breaking, Path: "Product", Message: "Product no longer implements Node"}}},
		{"RequiredInputFieldAdded", "name: String! }", "name: String! maxPrice: Int! }", []schemadiff.Change{{Severity: schemadiff.Breaking, Path: "Filter.maxPrice", Message: "required input field Filter.maxPrice was added"}}},
		{"OptionalInputFieldAdded", "name: String! }", "name: String! maxPrice: Int }", []schemadiff.Change{{Severity: schemadiff.Dangerous, Path: "Filter.maxPrice", Message: "optional input field Filter.maxPrice was added"}}},
		{"InputFieldBecameNullableIsSafe", "name: String! }", "name: String }", nil},
		{"DirectiveLocationRemoved", "FIELD_DEFINITION | OBJECT", "OBJECT", []schemadiff.Change{{Severity: schemadiff.Breaking, Path: "@tag", Message: "location FIELD_DEFINITION was removed from @tag"}}},
		{"TypeAddedIsSafe", "enum Sort", "type Extra { n: Int }\nenum Sort", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cur := replaceOnce(t, base, c.from, c.to)
			got, err := schemadiff.CompareSDL("old", base, "new", cur)
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
}

func replaceOnce(t *testing.T, s, from, to string) string {
	t.Helper()
	i := bytes.Index([]byte(s), []byte(from))
	require.GreaterOrEqual(t, i, 0, "%q not in base schema", from)
	return s[:i] + to + s[i+len(from):]
}

func TestWriteOrdersBreakingFirst(t *testing.T) {
	changes, err := schemadiff.CompareSDL("old", base, "new", replaceOnce(t, replaceOnce(t, base, "NAME PRICE", "NAME PRICE RATING"), "price: Int ", ""))
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, schemadiff.Write(&b, changes))
	require.Equal(t, "BREAKING  Product.price: field Product.price was removed\n"+
		"DANGEROUS Sort.RATING: enum value RATING was added to Sort: clients may not handle it\n"+
		"1 breaking, 1 dangerous\n", b.String())
	require.True(t, schemadiff.Breaks(changes))
}

// The committed API schema compared with itself has no changes: every construct Vitrine
// uses parses and compares.
func TestCommittedSchemaHasNoChangesAgainstItself(t *testing.T) {
	sdl, err := os.ReadFile("../../schema/vitrine.graphql")
	require.NoError(t, err)
	changes, err := schemadiff.CompareSDL("a", string(sdl), "b", string(sdl))
	require.NoError(t, err)
	require.Empty(t, changes)
}

func TestCompareSDLReportsInvalidSchemas(t *testing.T) {
	_, err := schemadiff.CompareSDL("old.graphql", "type Query { a: Missing }", "new", base)
	require.ErrorContains(t, err, "old.graphql")
}
