package graph_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/catalog"
	"github.com/vitrinehq/vitrine/internal/loader"
)

// Vitrine registers no field interceptor, so the patched gqlgen resolves plain fields directly
// (third_party/README.md). With an interceptor, generated code takes gqlgen's own path: both
// must answer the same, and FieldContext.Child must still describe an object's fields.
func TestFieldInterceptorPathAnswersTheSame(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		srv := handler.New(graph.NewExecutableSchema(graph.Config{
			Resolvers:  e.resolver,
			Directives: graph.DirectiveRoot{Auth: graph.Auth},
		}))
		srv.AddTransport(transport.POST{})
		srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
			r := e.resolver
			return next(loader.NewContext(ctx, loader.New(r.Client, r.Analytics, r.Catalog, r.Feedback, nil, catalog.PageColumns{})))
		})
		var mu sync.Mutex
		children := map[string]bool{}
		intercepted := 0
		srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
			fc := graphql.GetFieldContext(ctx)
			mu.Lock()
			intercepted++
			mu.Unlock()
			if fc.Field.Name == "author" {
				for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, []string{"User"}) {
					child, err := fc.Child(ctx, f)
					require.NoError(t, err)
					mu.Lock()
					children[child.Object+"."+child.Field.Name] = true
					mu.Unlock()
				}
			}
			return next(ctx)
		})

		vars := map[string]any{"first": 30}
		direct := serve(t, e.handler, gqlRequest(t, ProductsNested, vars, ""))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, gqlRequest(t, ProductsNested, vars, ""))
		var viaInterceptor struct {
			Data   json.RawMessage `json:"data"`
			Errors []any           `json:"errors"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &viaInterceptor))
		require.Empty(t, viaInterceptor.Errors, rec.Body.String())
		require.Empty(t, direct.Errors, direct.Raw)
		require.JSONEq(t, string(direct.Data), string(viaInterceptor.Data))
		var data any
		require.NoError(t, json.Unmarshal(direct.Data, &data))
		require.Equal(t, countKeys(data), intercepted, "the interceptor sees every field")
		require.Equal(t, map[string]bool{"User.id": true, "User.displayName": true}, children)
	})
}

// countKeys counts the members of every object in v: the fields of a response.
func countKeys(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			n += 1 + countKeys(x)
		}
	case []any:
		for _, x := range v {
			n += countKeys(x)
		}
	}
	return n
}
