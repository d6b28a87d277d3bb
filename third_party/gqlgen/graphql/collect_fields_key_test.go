package graphql

import (
	"hash/fnv"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestCollectFieldsCacheKeyHashesLikeFNV(t *testing.T) {
	for _, satisfies := range [][]string{nil, {"Review"}, {"Product", "Node"}, {"", "é"}} {
		h := fnv.New64a()
		for _, s := range satisfies {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
		require.Equal(t, h.Sum64(), makeCollectFieldsCacheKey(nil, satisfies).satisfiesHash, "%q", satisfies)
	}
	sel := ast.SelectionSet{&ast.Field{Name: "id"}}
	require.Zero(t, testing.AllocsPerRun(100, func() {
		makeCollectFieldsCacheKey(sel, []string{"Product", "Node"})
	}))
	require.Equal(t, makeCollectFieldsCacheKey(sel, nil), makeCollectFieldsCacheKey(sel, nil))
	require.NotEqual(t, makeCollectFieldsCacheKey(sel, nil), makeCollectFieldsCacheKey(sel[:0], nil))
	require.NotEqual(t, makeCollectFieldsCacheKey(sel, nil),
		makeCollectFieldsCacheKey(ast.SelectionSet{&ast.Field{Name: "id"}}, nil))
}
