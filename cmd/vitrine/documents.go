package main

import (
	"encoding/json"
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

// documentsHash implements `vitrine documents hash PATH`: it validates the .graphql documents
// under path against the schema and the default limits (serve checks them against its
// configured limits), and prints their manifest as JSON.
func documentsHash(path string, stdout io.Writer) error {
	docs, err := persisted.Read(path, graph.NewExecutableSchema(graph.Config{}).Schema(), limits.Defaults().Rules(false))
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(manifest{Documents: docs})
}
