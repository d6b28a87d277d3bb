package graph

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/limits"
)

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

// WithoutSuggestions strips gqlparser's "Did you mean …?" hints, which spell out schema names,
// from every error message; the validation rules drop most of them already, this catches the
// rest (e.g. variable coercion).
func WithoutSuggestions(present graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
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
// JSON into an internal error. It also sends BEGIN and COMMIT failures through the error
// presenter: entgql answers them with the driver's raw message (hosts, ports) and no code.
type transactioner struct{ entgql.Transactioner }

// Transactioner runs each mutation in one transaction of client (entgql's, made safe as
// described on transactioner).
func Transactioner(client *ent.Client) graphql.HandlerExtension {
	return transactioner{entgql.Transactioner{TxOpener: client}}
}

func (t transactioner) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	var failed error
	inner := t.Transactioner
	inner.TxOpener = entgql.TxOpenerFunc(func(ctx context.Context) (context.Context, driver.Tx, error) {
		txCtx, tx, err := t.TxOpener.OpenTx(ctx)
		if err != nil {
			failed = fmt.Errorf("begin transaction: %w", err)
			return nil, nil, err
		}
		return txCtx, committer{Tx: tx, failed: &failed}, nil
	})
	resp := inner.InterceptResponse(ctx, next)
	if failed == nil {
		return resp
	}
	graphql.AddError(ctx, &resolverError{err: failed})
	return &graphql.Response{Errors: graphql.GetErrors(ctx)}
}

// committer records a failed COMMIT for transactioner.
type committer struct {
	driver.Tx
	failed *error
}

func (c committer) Commit() error {
	err := c.Tx.Commit()
	if err != nil {
		*c.failed = fmt.Errorf("commit transaction: %w", err)
	}
	return err
}
