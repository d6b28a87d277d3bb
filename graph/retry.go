package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vitrinehq/vitrine/internal/replica"
)

// retryBrokenReplicaReads runs a query once more, on the primary, when a read replica's
// connection broke while the query ran (replica.Broken): a replica leaving mid-response is the
// operator's event, not the client's error. Only queries are retried; they change nothing, and
// the retry gets fresh loaders and a fresh error list because it runs every inner interceptor
// again.
func retryBrokenReplicaReads(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx).Operation
	if op == nil || op.Operation != ast.Query {
		return next(ctx)
	}
	responses, done := next(ctx), false
	return func(ctx context.Context) *graphql.Response {
		if done {
			return nil
		}
		done = true
		resp := responses(ctx)
		if !replica.Broken(ctx) {
			return resp
		}
		retry := replica.RetryContext(ctx)
		return next(retry)(retry)
	}
}
