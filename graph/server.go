package graph

import (
	"context"
	"log/slog"
	"net/http"

	"entgo.io/contrib/entgql"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/loader"
)

// ServerOptions configure the GraphQL handler.
type ServerOptions struct {
	Log           *slog.Logger
	Introspection bool
}

// NewHandler builds the GraphQL HTTP handler explicitly: only the transports Vitrine serves,
// the error presenter and panic recovery, pagination limits, and entgql's transactioner so
// that each mutation runs in one transaction.
func NewHandler(r *Resolver, opts ServerOptions) http.Handler {
	srv := handler.New(NewExecutableSchema(Config{
		Resolvers:  r,
		Directives: DirectiveRoot{Auth: Auth},
	}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	// Registered before the transactioner, so it runs after the commit.
	srv.AroundResponses(invalidateAnalytics(r.Analytics))
	srv.Use(entgql.Transactioner{TxOpener: r.Client})
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(loader.NewContext(ctx, loader.New(r.Client, r.Analytics, r.Catalog)))
	})
	srv.AroundResponses(recordForAccessLog)
	srv.AroundResponses(rejectBadCredentials)
	srv.AroundFields(fieldMiddleware)
	srv.SetErrorPresenter(ErrorPresenter(opts.Log))
	srv.SetRecoverFunc(Recover(opts.Log))
	return HTTPStatus(srv)
}

// fieldMiddleware runs around every field, so it is one function with a fast path: most fields
// are plain struct reads that need none of it. For resolvers it enforces page sizes before
// they run, marks their errors for the presenter, and primes batch loaders with the objects
// they return.
func fieldMiddleware(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !(fc.IsResolver || fc.IsMethod) {
		return next(ctx)
	}
	if isConnection(fc.Field.Definition.Type.Name()) {
		if err := limitPage(fc.Args); err != nil {
			return nil, err
		}
	}
	res, err := next(ctx)
	if err != nil {
		return res, markResolverError(err)
	}
	// Eager-loaded edges (ent's generated edge methods) were primed with their parents.
	if fc.IsResolver && res != nil {
		primeLoaders(ctx, fc, res)
	}
	return res, nil
}

// invalidateAnalytics drops cached analytics after every mutation: any write may change a
// rating or review aggregate, and this process's clients must see their own changes at once.
func invalidateAnalytics(a *analytics.Analytics) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if a != nil && graphql.HasOperationContext(ctx) {
			if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Mutation {
				a.Invalidate()
			}
		}
		return resp
	}
}
