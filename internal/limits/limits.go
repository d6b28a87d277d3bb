// Package limits bounds the work one GraphQL request may ask for, and refuses a request that
// asks for too much before any of it runs: body size, document size in tokens, depth, aliases,
// root fields, directives per field, and a cost budget priced from the page sizes the query
// requests (see Cost).
//
// The static checks are gqlparser validation rules (Rules), so they run once per distinct
// document and are cached with it; the cost depends on variables and the caller's role and is
// computed per request by gqlgen's complexity walker (Budget).
package limits

import (
	"time"

	"github.com/vitrinehq/vitrine/internal/apperr"
)

// Defaults. The cost budgets are sized against bench/products_nested.graphql, the canonical
// heavy query: 50 products with price, category and parent, rating summary and 10 reviews with
// their authors cost 1 + 50 × (1 + 1 + 2 + 1 + 1 + 10 × 2) = 1,301. The default budget leaves
// room for the same shape at the maximum page size of 100 (2,601) and for a dashboard's worth of
// smaller queries beside it; the admin budget allows back-office exports of 100 × 100 nested
// rows (about 20,000).
const (
	DefaultMaxBodyBytes  = 1 << 20
	DefaultMaxTokens     = 10_000
	DefaultMaxDepth      = 12
	DefaultMaxAliases    = 30
	DefaultMaxRootFields = 20
	DefaultMaxDirectives = 4
	DefaultMaxFields     = 500
	DefaultMaxCost       = 5_000
	DefaultMaxCostAdmin  = 50_000
	// DefaultRequestTimeout is well under the HTTP server's 30 s write timeout, so a client
	// gets the TIMEOUT error rather than a dropped connection.
	DefaultRequestTimeout = 10 * time.Second
)

// Limits are the bounds of one server. A zero field turns that check off, which only
// benchmarks comparing the cost of the checks should do.
type Limits struct {
	// MaxBodyBytes bounds the HTTP request body; larger bodies get 413.
	MaxBodyBytes int64
	// MaxTokens bounds the document's length in lexer tokens (gqlgen's parser token limit).
	MaxTokens int
	// MaxDepth bounds field nesting, fragments expanded; introspection fields do not count.
	MaxDepth int
	// MaxAliases bounds aliased fields in the whole document.
	MaxAliases int
	// MaxRootFields bounds the fields selected at the operation's root, fragments expanded.
	MaxRootFields int
	// MaxFields bounds the field selections written in the document (fragments counted once).
	MaxFields int
	// MaxDirectives bounds the directives on one field, fragment spread or inline fragment.
	MaxDirectives int
	// MaxCost is the cost budget of a request; MaxCostAdmin that of an administrator's.
	MaxCost      int
	MaxCostAdmin int
	// RequestTimeout is the deadline of a request, SQL included.
	RequestTimeout time.Duration
}

// Defaults returns the production defaults.
func Defaults() Limits {
	return Limits{
		MaxBodyBytes:   DefaultMaxBodyBytes,
		MaxTokens:      DefaultMaxTokens,
		MaxDepth:       DefaultMaxDepth,
		MaxAliases:     DefaultMaxAliases,
		MaxRootFields:  DefaultMaxRootFields,
		MaxDirectives:  DefaultMaxDirectives,
		MaxFields:      DefaultMaxFields,
		MaxCost:        DefaultMaxCost,
		MaxCostAdmin:   DefaultMaxCostAdmin,
		RequestTimeout: DefaultRequestTimeout,
	}
}

// Validation rule names, reported in gqlerror.Error.Rule and mapped to codes by CodeOfRule.
const (
	ruleDepth      = "VitrineMaxDepth"
	ruleAliases    = "VitrineMaxAliases"
	ruleRootFields = "VitrineMaxRootFields"
	ruleDirectives = "VitrineMaxDirectives"
	ruleExpansion  = "VitrineMaxExpandedFields"
	ruleFields     = "VitrineMaxFields"
	ruleNUL        = "VitrineNoNUL"
)

// CodeOfRule returns the error code of a validation error raised by one of this package's rules.
func CodeOfRule(rule string) (apperr.Code, bool) {
	switch rule {
	case ruleDepth:
		return apperr.QueryTooDeep, true
	case ruleAliases:
		return apperr.TooManyAliases, true
	case ruleRootFields:
		return apperr.TooManyRootFields, true
	case ruleDirectives:
		return apperr.TooManyDirectives, true
	case ruleExpansion:
		return apperr.QueryTooComplex, true
	case ruleFields:
		return apperr.TooManyFields, true
	case ruleNUL:
		return codeOfNUL, true
	}
	return "", false
}
