package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/persisted"
)

// manifest is what `vitrine documents hash` prints: for each trusted document, the hash
// clients send as extensions.persistedQuery.sha256Hash.
type manifest struct {
	Documents []persisted.Document `json:"documents"`
}

// documentsCmd implements `vitrine documents hash PATH`: it validates the .graphql documents
// under PATH against the schema and the default limits (serve checks them against its
// configured limits), and prints their manifest as JSON.
func documentsCmd(args []string, stdout io.Writer) error {
	if len(args) != 2 || args[0] != "hash" {
		return fmt.Errorf("usage: vitrine documents hash PATH (a .graphql file or a directory of them)")
	}
	docs, err := persisted.Read(args[1], graph.NewExecutableSchema(graph.Config{}).Schema(), limits.Defaults().Rules(false))
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(manifest{Documents: docs})
}
