package graph

import (
	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/internal/catalog"
)

// Resolver is the root resolver. Its dependencies are explicit so tests can build one over any
// store.
type Resolver struct {
	Client  *ent.Client
	Catalog *catalog.Catalog
}
