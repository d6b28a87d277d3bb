package httpcache

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

var testSchema = gqlparser.MustLoadSchema(&ast.Source{Input: `
directive @cacheControl(maxAge: Int, scope: CacheControlScope) on FIELD_DEFINITION | OBJECT
enum CacheControlScope { PUBLIC PRIVATE }
directive @auth on FIELD_DEFINITION
type Query {
  a: Int
  short: Int @cacheControl(maxAge: 5)
  shorter: Int @cacheControl(maxAge: 2, scope: PUBLIC)
  mine: Int @cacheControl(scope: PRIVATE)
  secret: Int @auth
  viewer: Viewer
  pub: Pub
}
type Viewer @cacheControl(scope: PRIVATE) { name: String }
type Pub { name: String mine: Int @cacheControl(scope: PRIVATE) }
`})

// TestWalker decides from the schema's directives alone, through fragments at any depth.
func TestWalker(t *testing.T) {
	cases := []struct {
		name, query string
		public      bool
		maxAge      time.Duration
	}{
		{"PlainField", `{ a __typename }`, true, 30 * time.Second},
		{"MaxAgeLowers", `{ a short }`, true, 5 * time.Second},
		{"SmallestMaxAgeWins", `{ shorter short }`, true, 2 * time.Second},
		{"PrivateField", `{ a mine }`, false, 0},
		{"AuthField", `{ secret }`, false, 0},
		{"PrivateType", `{ viewer { name } }`, false, 0},
		{"NestedPrivateField", `{ pub { name mine } }`, false, 0},
		{"InFragment", `{ pub { ...P } } fragment P on Pub { name ... on Pub { mine } }`, false, 0},
		{"FragmentSpreadTwice", `{ pub { ...P } p2: pub { ...P } } fragment P on Pub { name }`, true, 30 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQueryWithRules(testSchema, c.query, nil)
			require.Empty(t, errs)
			w := walker{schema: testSchema, doc: doc, seen: map[string]bool{}, maxAge: 30 * time.Second}
			require.Equal(t, c.public, w.selection(doc.Operations[0].SelectionSet))
			if c.public {
				require.Equal(t, c.maxAge, w.maxAge)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	const tag = `"abc"`
	for header, want := range map[string]bool{
		`"abc"`: true, `W/"abc"`: true, `"x", "abc"`: true, `*`: true,
		`"abcd"`: false, ``: false, `abc`: false,
	} {
		require.Equal(t, want, matches(header, tag), header)
	}
}
