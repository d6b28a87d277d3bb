package main

import (
	"github.com/vitrinehq/vitrine/internal/config"
	"github.com/vitrinehq/vitrine/internal/playground"
)

// playgroundOptions fit the playground to the server: without introspection (production's
// default) it opens without a schema and says so, instead of failing to load one.
func playgroundOptions(cfg config.Config) []playground.Option {
	if cfg.Introspection {
		return nil
	}
	return []playground.Option{playground.WithoutIntrospection()}
}
