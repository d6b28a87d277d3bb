package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/gqltest"
)

var updateSchema = flag.Bool("update-schema", false, "rewrite the committed schema/*.graphql from this binary")

// TestCommittedSchemaIsCurrent: schema/vitrine.graphql and schema/subgraph.graphql are what
// `vitrine schema` prints, so code generators and registries that read them from the repo see
// the schema this commit serves. Refresh with
// go test ./cmd/vitrine -run TestCommittedSchemaIsCurrent -update-schema.
func TestCommittedSchemaIsCurrent(t *testing.T) {
	for _, tt := range []struct {
		file string
		args []string
	}{
		{"vitrine.graphql", []string{"schema"}},
		{"subgraph.graphql", []string{"schema", "-subgraph"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, run(context.Background(), tt.args, func(string) string { return "" }, nil, &out, nil))
			path := filepath.Join("..", "..", "schema", tt.file)
			if *updateSchema {
				require.NoError(t, os.WriteFile(path, out.Bytes(), 0o644))
			}
			committed, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, string(committed), out.String(),
				"schema/%s is stale: run go test ./cmd/vitrine -run TestCommittedSchemaIsCurrent -update-schema and commit it", tt.file)
		})
	}
}

// TestSchemaDiff: the command lists the changes, succeeds without breaking ones and fails
// with them, so a CI step can gate on it.
func TestSchemaDiff(t *testing.T) {
	dir := t.TempDir()
	write := func(name, sdl string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(sdl), 0o644))
		return p
	}
	old := write("old.graphql", "type Query { a: Int b(x: Int): String }\nenum E { X }")
	dangerous := write("dangerous.graphql", "type Query { a: Int b(x: Int, y: Int): String c: Int }\nenum E { X Y }")
	breaking := write("breaking.graphql", "type Query { b(x: Int!): String }\nenum E { X }")
	getenv := func(string) string { return "" }

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"schema", "diff", old, dangerous}, getenv, nil, &out, nil))
	require.Equal(t, "DANGEROUS E.Y: enum value Y was added to E: clients may not handle it\n"+
		"DANGEROUS Query.b(y:): optional argument y was added\n"+
		"0 breaking, 2 dangerous\n", out.String())

	out.Reset()
	err := run(context.Background(), []string{"schema", "diff", old, breaking}, getenv, nil, &out, nil)
	require.ErrorIs(t, err, errBreaking)
	require.Equal(t, "BREAKING  Query.a: field Query.a was removed\n"+
		"BREAKING  Query.b(x:): type changed from Int to Int!\n"+
		"2 breaking, 0 dangerous\n", out.String())

	require.ErrorContains(t, run(context.Background(), []string{"schema", "diff", old}, getenv, nil, &out, nil), "needs two schema files")
}

// TestServeFederationSetting: serve answers _entities only with VITRINE_FEDERATION=true.
func TestServeFederationSetting(t *testing.T) {
	dir := t.TempDir()
	const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Category { name } } }`
	off, _ := startServer(t, map[string]string{"VITRINE_DATA_DIR": dir})
	offClient := &gqltest.Client{URL: off + "/graphql"}
	var cats struct {
		Categories struct {
			Edges []struct{ Node struct{ ID, Name string } }
		}
	}
	offClient.MustData(t, &cats, `{ categories(first: 1) { edges { node { id name } } } }`, nil)
	rep := map[string]any{"r": []any{map[string]any{"__typename": "Category", "id": cats.Categories.Edges[0].Node.ID}}}
	err := offClient.MustError(t, "GRAPHQL_VALIDATION_FAILED", query, rep)
	require.Equal(t, graph.FederationDisabled, err.Message)

	on, _ := startServer(t, map[string]string{"VITRINE_DATA_DIR": t.TempDir(), "VITRINE_FEDERATION": "true"})
	onClient := &gqltest.Client{URL: on + "/graphql"}
	onClient.MustData(t, &cats, `{ categories(first: 1) { edges { node { id name } } } }`, nil)
	rep = map[string]any{"r": []any{map[string]any{"__typename": "Category", "id": cats.Categories.Edges[0].Node.ID}}}
	var out struct {
		Entities []struct{ Name string } `json:"_entities"`
	}
	onClient.MustData(t, &out, query, rep)
	require.Equal(t, []struct{ Name string }{{cats.Categories.Edges[0].Node.Name}}, out.Entities)
}
