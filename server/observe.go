package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/catalog"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/loader"
	"github.com/vitrinehq/vitrine/internal/metrics"
	"github.com/vitrinehq/vitrine/internal/reqlog"
	"github.com/vitrinehq/vitrine/internal/sqlcount"
	"github.com/vitrinehq/vitrine/internal/tracing"
)

// observe copies what the access log and the metrics report into the request's reqlog.Info —
// the operation, its type and duration, and the code of every error — and logs operations
// that took slow or longer (0: never; subscriptions never) with their cost and SQL statement
// count. It is registered outside the transactioner, so it sees commit errors too.
func observe(l limits.Limits, log *slog.Logger, slow time.Duration) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		var opCtx *graphql.OperationContext
		if graphql.HasOperationContext(ctx) {
			opCtx = graphql.GetOperationContext(ctx)
		}
		name, typ, elapsed := operationFacts(opCtx)
		if info := reqlog.FromContext(ctx); info != nil {
			info.Operation, info.OperationType, info.Duration = name, typ, elapsed
			if resp != nil {
				for _, e := range resp.Errors {
					code, _ := e.Extensions["code"].(string)
					info.Codes = append(info.Codes, code)
				}
			}
		}
		// A subscription's responses are its events: the time since it started says how long
		// the client has listened, not how slow anything was.
		if slow > 0 && typ != "" && typ != string(ast.Subscription) && elapsed >= slow {
			errs := 0
			if resp != nil {
				errs = len(resp.Errors)
			}
			cost := l.Report(ctx)
			log.WarnContext(ctx, "slow operation", "operation", name, "type", typ,
				"duration", elapsed, "cost", cost.Requested, "budget", cost.Budget,
				"sql_statements", sqlcount.FromContext(ctx).Count(), "errors", errs)
		}
		return resp
	}
}

// operationFacts returns the operation's name (the document's, when the request named
// none), its type (empty until the operation is known) and how long it has run since gqlgen
// started reading the request.
func operationFacts(opCtx *graphql.OperationContext) (name, typ string, elapsed time.Duration) {
	if opCtx == nil {
		return "", "", 0
	}
	name = opCtx.OperationName
	if op := opCtx.Operation; op != nil {
		name, typ = op.Name, string(op.Operation)
	}
	if !opCtx.Stats.OperationStart.IsZero() {
		elapsed = time.Since(opCtx.Stats.OperationStart)
	}
	return name, typ, elapsed
}

// withRequestState gives each operation its batch loaders and, when the slow-operation log
// will read it, its SQL statement counter.
func withRequestState(r *graph.Resolver, hook loader.Hook, countSQL bool) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if countSQL {
			ctx, _ = sqlcount.NewContext(ctx)
		}
		var pages catalog.PageColumns
		oc := graphql.GetOperationContext(ctx)
		if oc != nil && oc.Doc != nil {
			pages = graph.PageColumns(oc.Operation, oc.Doc.Fragments)
		}
		if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
			return next(loader.NewContext(ctx, loader.New(r.Client, r.Analytics, r.Catalog, r.Feedback, hook, pages)))
		}
		// A subscription's loaders would cache the first event's values: each event gets its own.
		// They (and the operation's own) are made only if a field loads through them: most
		// events' fields load nothing, and a popular product's event is read by every subscriber.
		newLoaders := func() *loader.Loaders { return loader.New(r.Client, r.Analytics, r.Catalog, r.Feedback, hook, pages) }
		fresh := func(ctx context.Context) context.Context { return loader.NewLazyContext(ctx, newLoaders) }
		responses := next(loader.NewLazyContext(ctx, newLoaders))
		return func(ctx context.Context) *graphql.Response { return responses(fresh(ctx)) }
	}
}

// batchHook reports loader batches to the metrics and the tracer, whichever are on.
func batchHook(m *metrics.Metrics, t *tracing.Tracing) loader.Hook {
	if m == nil && t == nil {
		return nil
	}
	return func(ctx context.Context, name string, keys int) (context.Context, func(error)) {
		if m != nil {
			m.ObserveBatch(name, keys)
		}
		return t.Batch(ctx, name, keys)
	}
}
