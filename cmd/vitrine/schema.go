package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/schemadiff"
)

// schema prints the GraphQL schema for code generators and registries, and compares two
// versions of it. The printed schemas are committed under schema/ (a test fails when they
// are stale), so nothing needs a running server to read them.
func (c *cli) schema() *ffcli.Command {
	fs := c.flags("vitrine schema")
	subgraph := fs.Bool("subgraph", false, "print the Apollo Federation subgraph SDL (what _service { sdl } answers, with @link and @key) instead of the client API schema")
	const usage = "vitrine schema [-subgraph] | vitrine schema diff OLD NEW"
	return &ffcli.Command{
		Name:       "schema",
		ShortUsage: usage,
		ShortHelp:  "print the GraphQL schema (client API, or -subgraph for a federation router); diff compares two versions",
		LongHelp: "Prints the schema this binary serves. Without flags: the API clients query, for code\n" +
			"generators (committed as schema/vitrine.graphql). With -subgraph: the subgraph SDL a\n" +
			"federation router composes (committed as schema/subgraph.graphql).",
		FlagSet:     fs,
		Subcommands: []*ffcli.Command{c.schemaDiff()},
		Exec: func(_ context.Context, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unknown schema subcommand %q; usage: %s", args[0], usage)
			}
			sdl := graph.APISchema()
			if *subgraph {
				sdl = graph.SubgraphSDL()
			}
			_, err := io.WriteString(c.stdout, sdl)
			return err
		},
	}
}

// errBreaking makes `vitrine schema diff` exit non-zero when a change breaks clients, so a CI
// step can run it as a gate.
var errBreaking = errors.New("the new schema has breaking changes")

func (c *cli) schemaDiff() *ffcli.Command {
	const usage = "vitrine schema diff OLD NEW"
	return &ffcli.Command{
		Name:       "diff",
		ShortUsage: usage,
		ShortHelp:  "list the breaking and dangerous changes from schema file OLD to NEW; exits 1 if any breaks clients",
		FlagSet:    c.flags("vitrine schema diff"),
		Exec: func(_ context.Context, args []string) error {
			if len(args) != 2 {
				return fmt.Errorf("schema diff needs two schema files; usage: %s", usage)
			}
			old, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			cur, err := os.ReadFile(args[1])
			if err != nil {
				return err
			}
			changes, err := schemadiff.CompareSDL(args[0], string(old), args[1], string(cur))
			if err != nil {
				return err
			}
			if err := schemadiff.Write(c.stdout, changes); err != nil {
				return err
			}
			if schemadiff.Breaks(changes) {
				return errBreaking
			}
			return nil
		},
	}
}
