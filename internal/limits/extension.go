package limits

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator/core"

	"github.com/vitrinehq/vitrine/internal/apperr"
)

// Extension is a gqlgen handler extension with two checks the validation rules cannot make:
//
//   - Before validation, it parses documents the query cache does not hold yet and applies the
//     static limits, because some of gqlparser's own rules are quadratic in the fields sharing
//     a response name (OverlappingFieldsCanBeMerged, UniqueDirectivesPerLocation): a few
//     thousand copies of one field would keep a core busy for seconds before the limit rules,
//     which run in the same walk, could refuse them. The rules stay authoritative; this only
//     answers first.
//   - After variables are coerced, it refuses strings with NUL characters, which neither
//     Postgres text nor SQLite's C strings can hold (literals are refused by Rules).
//   - It refuses requests without a query, and leaves the data entry out of responses to
//     requests that failed before execution (protocol.go).
type Extension struct {
	Limits Limits
	// Cache is the executor's query cache: a document found there has passed validation.
	Cache graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
	graphql.ResponseInterceptor
} = Extension{}

// ExtensionName implements graphql.HandlerExtension.
func (Extension) ExtensionName() string { return "VitrineLimits" }

// Validate implements graphql.HandlerExtension.
func (Extension) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters refuses an uncached document over a static limit.
func (x Extension) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return noQuery(ctx, params)
	}
	if x.Cache != nil {
		if _, ok := x.Cache.Get(ctx, params.Query); ok {
			return nil
		}
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, x.Limits.MaxTokens)
	if err != nil {
		return nil // the executor parses again and reports it
	}
	var first *gqlerror.Error
	x.Limits.check(doc, func(options ...core.ErrorOption) {
		if first == nil {
			first = &gqlerror.Error{}
			for _, o := range options {
				o(first)
			}
		}
	})
	return first
}

// MutateOperationContext refuses variables holding NUL characters.
func (Extension) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	for name, v := range opCtx.Variables {
		if hasNUL(v) {
			err := gqlerror.Errorf("variable $%s contains a NUL character (U+0000), which text fields cannot hold", name)
			err.Rule = ruleNUL
			return err
		}
	}
	return nil
}

func hasNUL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.IndexByte(v, 0) >= 0
	case []any:
		for _, e := range v {
			if hasNUL(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if strings.IndexByte(k, 0) >= 0 || hasNUL(e) {
				return true
			}
		}
	}
	return false
}

// literalNUL reports the first string literal with a NUL character among values.
func literalNUL(v *ast.Value) *ast.Position {
	if v == nil {
		return nil
	}
	if (v.Kind == ast.StringValue || v.Kind == ast.BlockValue) && strings.IndexByte(v.Raw, 0) >= 0 {
		return v.Position
	}
	for _, c := range v.Children {
		if pos := literalNUL(c.Value); pos != nil {
			return pos
		}
	}
	return nil
}

// codeOfNUL is the code of strings refused for NUL characters: the input is at fault.
const codeOfNUL = apperr.BadInput
