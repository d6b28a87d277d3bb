package main

import (
	"log/slog"

	"github.com/vitrinehq/vitrine/internal/config"
	"github.com/vitrinehq/vitrine/internal/dashboard"
	"github.com/vitrinehq/vitrine/internal/persisted"
)

// newDashboard returns the ratings dashboard, or nil when it is switched off or could not run:
// a server that only runs trusted documents serves it only if every document the page sends
// is among them, rather than a page whose every chart is refused.
func newDashboard(cfg config.Config, documents any, log *slog.Logger) (*dashboard.Dashboard, error) {
	if !cfg.Dashboard {
		return nil, nil
	}
	if trusted, ok := documents.(*persisted.Trusted); ok {
		queries, err := dashboard.Queries()
		if err != nil {
			return nil, err
		}
		for file, doc := range queries {
			if !trusted.Has(doc) {
				log.Warn("the dashboard is off: its documents are not all trusted; add internal/dashboard/queries to VITRINE_TRUSTED_DOCUMENTS to serve it",
					"missing", file)
				return nil, nil
			}
		}
	}
	return dashboard.New("/graphql", "/dashboard/assets/", "/")
}
