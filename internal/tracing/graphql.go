package tracing

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/vitrinehq/vitrine/internal/apperr"
)

// GraphQL returns the gqlgen extension that opens a span per operation (from reading the
// request, parse and validation included, to the response) and one per root field; nil when
// tracing is off. Nested resolvers get no span of their own: most read a loader's result,
// and the loader's batch span (see Batch) and its SQL spans show where their time goes, at
// a few spans per request instead of one per object.
func (t *Tracing) GraphQL() graphql.HandlerExtension {
	if t == nil {
		return nil
	}
	return graphqlTracer{t.tracer}
}

type graphqlTracer struct{ tracer trace.Tracer }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
	graphql.RootFieldInterceptor
} = graphqlTracer{}

func (graphqlTracer) ExtensionName() string                   { return "VitrineTracing" }
func (graphqlTracer) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse spans the operation, named "query ProductsNested" as the semantic
// conventions ask. Errors are listed by code; the span fails only for the server's faults.
func (g graphqlTracer) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	opCtx := graphql.GetOperationContext(ctx)
	name := "GraphQL"
	var attrs []attribute.KeyValue
	if op := opCtx.Operation; op != nil {
		name = string(op.Operation)
		attrs = append(attrs, semconv.GraphQLOperationTypeKey.String(string(op.Operation)))
		if op.Name != "" {
			name += " " + op.Name
			attrs = append(attrs, semconv.GraphQLOperationName(op.Name))
		}
	}
	opts := []trace.SpanStartOption{trace.WithAttributes(attrs...)}
	if !opCtx.Stats.OperationStart.IsZero() {
		opts = append(opts, trace.WithTimestamp(opCtx.Stats.OperationStart))
	}
	ctx, span := g.tracer.Start(ctx, name, opts...)
	defer span.End()
	resp := next(ctx)
	if resp == nil || len(resp.Errors) == 0 {
		return resp
	}
	codeList := make([]string, 0, len(resp.Errors))
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		codeList = append(codeList, code)
		if cl := apperr.ClassOf(apperr.Code(code)); cl == apperr.ClassServer || cl == apperr.ClassTimeout {
			span.SetStatus(codes.Error, code)
		}
	}
	span.SetAttributes(attribute.StringSlice("graphql.error.codes", codeList))
	return resp
}

// InterceptRootField spans root fields (Query.products, Mutation.addReview, …) with all
// they resolve beneath them: nested resolvers and loader batches run in the root field's
// context, so their spans and SQL land under it. Its errors are reported on the operation.
func (g graphqlTracer) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if fc == nil {
		return next(ctx)
	}
	ctx, span := g.tracer.Start(ctx, rootType(ctx)+"."+fc.Field.Name, trace.WithAttributes(
		attribute.String("graphql.field.name", fc.Field.Name),
		attribute.String("graphql.field.alias", fc.Field.Alias),
	))
	defer span.End()
	return next(ctx)
}

// rootType names the operation's root type as the schema does (RootFieldContext.Object holds
// the response key, not the type).
func rootType(ctx context.Context) string {
	if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Mutation {
		return "Mutation"
	}
	return "Query"
}
