package graph

import (
	"context"
	"entgo.io/contrib/entgql"
	"errors"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/scalar"
)

// serverLimits returns the configured limits, or the defaults when none are given.
func serverLimits(opts ServerOptions) limits.Limits {
	if opts.Limits != nil {
		return *opts.Limits
	}
	return limits.Defaults()
}

// useLimits installs the guard rails that run before execution: the parser's token limit, the
// static limits as validation rules (cached with the document), the per-request cost budget,
// and the cost report on every response. es must be the schema wrapped by limits.Cost.
func useLimits(srv *handler.Server, es graphql.ExecutableSchema, cache graphql.Cache[*ast.QueryDocument], l limits.Limits, suggestions bool) {
	srv.SetQueryCache(cache)
	if l.MaxTokens > 0 {
		srv.SetParserTokenLimit(l.MaxTokens)
	}
	srv.Use(limits.Extension{Limits: l, Cache: cache})
	// Before the budget: the cost is computed from numbers the executor accepts, never from a
	// numeric string it would read differently.
	srv.Use(scalar.Variables{Schema: es.Schema()})
	srv.SetDisableSuggestion(!suggestions)
	srv.SetValidationRulesFn(func() *rules.Rules { return l.Rules(suggestions) })
	if l.MaxCost > 0 || l.MaxCostAdmin > 0 {
		srv.Use(l.Budget(es))
	}
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if resp != nil {
			if resp.Extensions == nil {
				resp.Extensions = map[string]any{}
			}
			resp.Extensions["cost"] = l.Report(ctx)
		}
		return resp
	})
}

// guardHTTP wraps the GraphQL handler with the transport checks and the request deadline.
func guardHTTP(l limits.Limits, h http.Handler) http.Handler { return l.Guard(h) }

// classifyLimit maps the errors of refused requests to their codes, with messages that say
// what to change. ok is false for other errors.
func classifyLimit(ctx context.Context, err error, gqlErr *gqlerror.Error) (apperr.Code, string, bool) {
	if code, ok := limits.CodeOfRule(gqlErr.Rule); ok {
		return code, gqlErr.Message, true
	}
	if code, _ := gqlErr.Extensions["code"].(string); code == "COMPLEXITY_LIMIT_EXCEEDED" {
		return apperr.QueryTooComplex, gqlErr.Message + ": request smaller pages (first/last) or fewer " +
			"nested connections; extensions.cost shows the cost and the budget", true
	}
	if strings.HasPrefix(gqlErr.Message, "exceeded maximum nesting depth") {
		return apperr.QueryTooDeep, "the document is nested too deeply for the parser (" + gqlErr.Message + ")", true
	}
	if strings.HasPrefix(gqlErr.Message, "exceeded token limit") {
		return apperr.QueryTooLarge, "the document is too long (" + gqlErr.Message + "); split it into several requests", true
	}
	if deadlineExceeded(ctx, err) {
		return apperr.Timeout, "the request took longer than the server's time limit and was stopped; " +
			"ask for less data or retry later", true
	}
	return "", "", false
}

// deadlineExceeded reports whether the request ran out of time. The request's context is
// checked as well as the error: a driver may report a cancelled statement in its own words
// (lib/pq's "canceling statement due to user request").
func deadlineExceeded(ctx context.Context, err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded)
}

// withoutSuggestions strips gqlparser's "Did you mean …?" hints, which spell out schema names,
// from every error message; the validation rules drop most of them already, this catches the
// rest (e.g. variable coercion).
func withoutSuggestions(present graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		out := present(ctx, err)
		if i := strings.Index(out.Message, " Did you mean "); i >= 0 {
			out.Message = out.Message[:i]
		}
		return out
	}
}

// transactioner is entgql's, made safe for requests refused before they had an operation
// (e.g. a body that is not a GraphQL request): entgql's response interceptor asks for the
// operation context unconditionally and panics without one, which turned a client's malformed
// JSON into an internal error.
type transactioner struct{ entgql.Transactioner }

func (t transactioner) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	return t.Transactioner.InterceptResponse(ctx, next)
}
