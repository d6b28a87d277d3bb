package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/loader"
)

// Batched fields are declared in the schema only (@batch(loader:)), so the declaration is what
// must be right: every directive names one of loader's ID-keyed loaders, and every such loader
// serves at least one field (a loader nothing primes would batch by goroutine timing alone).
func TestEveryBatchDirectiveNamesALoader(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	used := map[int]bool{}
	for _, typ := range schema.Types {
		for _, f := range typ.Fields {
			d := f.Directives.ForName("batch")
			if d == nil {
				continue
			}
			name := d.Arguments.ForName("loader").Value.Raw
			i, ok := loader.Batch(name)
			require.True(t, ok, "%s.%s: @batch(loader: %q) names no loader in internal/loader", typ.Name, f.Name, name)
			used[i] = true
		}
	}
	require.Len(t, used, loader.Batched, "every ID-keyed loader is declared on a field")
}
