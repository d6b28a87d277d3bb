package config

import (
	"flag"

	"github.com/vitrinehq/vitrine/internal/limits"
)

// limitFlags reads the request limits; the README's configuration table lists them.
func limitFlags(fs *flag.FlagSet, e *envReader) limits.Limits {
	var l limits.Limits
	d := limits.Defaults()
	fs.Int64Var(&l.MaxBodyBytes, "max-body-bytes", int64(e.int("VITRINE_MAX_BODY_BYTES", int(d.MaxBodyBytes))), "largest request body; larger gets 413 (VITRINE_MAX_BODY_BYTES)")
	fs.IntVar(&l.MaxTokens, "max-tokens", e.int("VITRINE_MAX_TOKENS", d.MaxTokens), "longest GraphQL document in lexer tokens (VITRINE_MAX_TOKENS)")
	fs.IntVar(&l.MaxDepth, "max-depth", e.int("VITRINE_MAX_DEPTH", d.MaxDepth), "deepest field nesting (VITRINE_MAX_DEPTH)")
	fs.IntVar(&l.MaxAliases, "max-aliases", e.int("VITRINE_MAX_ALIASES", d.MaxAliases), "most aliases per document (VITRINE_MAX_ALIASES)")
	fs.IntVar(&l.MaxRootFields, "max-root-fields", e.int("VITRINE_MAX_ROOT_FIELDS", d.MaxRootFields), "most root fields per operation (VITRINE_MAX_ROOT_FIELDS)")
	fs.IntVar(&l.MaxFields, "max-fields", e.int("VITRINE_MAX_FIELDS", d.MaxFields), "most field selections written in a document (VITRINE_MAX_FIELDS)")
	fs.IntVar(&l.MaxDirectives, "max-directives", e.int("VITRINE_MAX_DIRECTIVES", d.MaxDirectives), "most directives per field (VITRINE_MAX_DIRECTIVES)")
	fs.IntVar(&l.MaxCost, "max-cost", e.int("VITRINE_MAX_COST", d.MaxCost), "cost budget of a request (VITRINE_MAX_COST)")
	fs.IntVar(&l.MaxCostAdmin, "max-cost-admin", e.int("VITRINE_MAX_COST_ADMIN", d.MaxCostAdmin), "cost budget of an administrator's request (VITRINE_MAX_COST_ADMIN)")
	fs.DurationVar(&l.RequestTimeout, "request-timeout", e.duration("VITRINE_REQUEST_TIMEOUT", d.RequestTimeout), "deadline of a GraphQL request, SQL included (VITRINE_REQUEST_TIMEOUT)")
	return l
}
