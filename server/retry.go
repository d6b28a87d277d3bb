package server

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vitrinehq/vitrine/internal/replica"
	"github.com/vitrinehq/vitrine/internal/reqlog"
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
		info := reqlog.FromContext(ctx)
		var recorded int
		if info != nil {
			recorded = len(info.Codes)
		}
		resp := responses(ctx)
		if !replica.Broken(ctx) {
			return resp
		}
		// The client gets the retry's answer only: the access log and the metrics must not
		// count the discarded attempt's errors.
		if info != nil {
			info.Codes = info.Codes[:recorded]
		}
		retry := replica.RetryContext(ctx)
		return next(retry)(retry)
	}
}
