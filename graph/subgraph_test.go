package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/server"
)

// federated serves e's resolver again, as serve wires it, with federation on (and
// introspection as given).
func federated(t testing.TB, e *env, introspection bool) *gqltest.Client {
	t.Helper()
	h := server.New(e.resolver, server.Options{
		Log:            slog.New(slog.NewTextHandler(io.Discard, nil)),
		Ready:          e.st.Ping,
		Introspection:  introspection,
		Federation:     true,
		TrustedProxies: testProxies,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &gqltest.Client{URL: srv.URL + "/graphql"}
}

func rep(typ string, id int) map[string]any {
	return map[string]any{"__typename": typ, "id": relay.Encode(id)}
}

const entitiesQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
	__typename
	... on Product { id name category { name } reviewCount }
	... on User { id displayName email }
	... on Category { id name productCount }
	... on Review { id title author { displayName } }
	... on Quiz { id title }
} }`

func TestEntities(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := federated(t, e, true)
		fx := e.fx
		draft := e.st.Client.Quiz.Create().SetTitle("Draft").SetSlug("draft").SaveX(ctx)
		published := e.st.Client.Quiz.Create().SetTitle("Live").SetSlug("live").SetPublished(true).SaveX(ctx)

		t.Run("InOrderAcrossTypes", func(t *testing.T) {
			reps := []any{rep("Product", fx.products[1].ID), rep("User", fx.users[2].ID), rep("Product", fx.products[0].ID),
				rep("Category", fx.tents.ID), rep("Review", fx.reviews[1].ID), rep("Quiz", published.ID)}
			var out struct {
				Entities []map[string]any `json:"_entities"`
			}
			c.MustData(t, &out, entitiesQuery, map[string]any{"r": reps})
			require.Len(t, out.Entities, 6)
			require.Equal(t, "Product", out.Entities[0]["__typename"])
			require.Equal(t, fx.products[1].Name, out.Entities[0]["name"])
			require.Equal(t, fx.products[0].Name, out.Entities[2]["name"])
			require.EqualValues(t, 3, out.Entities[2]["reviewCount"])
			require.Equal(t, "User 2", out.Entities[1]["displayName"])
			require.Nil(t, out.Entities[1]["email"], "a user's email stays private to an anonymous router request")
			require.Equal(t, "Tents", out.Entities[3]["name"])
			require.Equal(t, "Review 1", out.Entities[4]["title"])
			require.Equal(t, "Live", out.Entities[5]["title"])
		})

		t.Run("PrivateFieldsForTheirOwner", func(t *testing.T) {
			owner := e.asUser(t, fx.users[2])
			owner.URL = c.URL
			var out struct {
				Entities []map[string]any `json:"_entities"`
			}
			owner.MustData(t, &out, entitiesQuery, map[string]any{"r": []any{rep("User", fx.users[2].ID), rep("User", fx.users[1].ID)}})
			require.Equal(t, "user2@example.com", out.Entities[0]["email"])
			require.Nil(t, out.Entities[1]["email"])
		})

		t.Run("MissingWrongTypeAndDraftAreNotFound", func(t *testing.T) {
			res := c.Do(t, entitiesQuery, map[string]any{"r": []any{
				rep("Product", fx.products[0].ID), rep("Category", fx.products[1].ID), rep("Quiz", draft.ID)}})
			var data struct {
				Entities []map[string]any `json:"_entities"`
			}
			require.NoError(t, json.Unmarshal(res.Data, &data))
			require.NotNil(t, data.Entities[0])
			require.Nil(t, data.Entities[1])
			require.Nil(t, data.Entities[2])
			require.Len(t, res.Errors, 2, "%+v", res.Errors)
			// Types resolve concurrently: the errors come in any order.
			var paths [][]any
			for _, err := range res.Errors {
				require.Equal(t, "NOT_FOUND", err.Code())
				paths = append(paths, err.Path)
			}
			require.ElementsMatch(t, [][]any{{"_entities", float64(1)}, {"_entities", float64(2)}}, paths)
			admin := e.asUser(t, fx.users[0])
			admin.URL = c.URL
			var out struct {
				Entities []map[string]any `json:"_entities"`
			}
			admin.MustData(t, &out, entitiesQuery, map[string]any{"r": []any{rep("Quiz", draft.ID)}})
			require.Equal(t, "Draft", out.Entities[0]["title"], "admins see drafts, as through quiz(slug:)")
		})

		t.Run("BadRepresentations", func(t *testing.T) {
			for _, tt := range []struct {
				name  string
				rep   any
				field string
				msg   string
			}{
				{"UnknownType", map[string]any{"__typename": "Rating", "id": relay.Encode(1)}, "representations[1]", "__typename must be one of"},
				{"NoID", map[string]any{"__typename": "Product"}, "representations[1]", "needs its id"},
				{"ForgedID", map[string]any{"__typename": "Product", "id": "42"}, "representations[1]", "is not a valid ID"},
				{"NotAnObject", "Product:1", "representations[1]", "must be an object"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					err := c.MustError(t, "BAD_USER_INPUT", entitiesQuery, map[string]any{"r": []any{rep("Product", fx.products[0].ID), tt.rep}})
					require.Equal(t, tt.field, err.Extensions["field"])
					require.Contains(t, err.Message, tt.msg)
				})
			}
		})

		t.Run("ServiceSDL", func(t *testing.T) {
			var out struct {
				Service struct{ SDL string } `json:"_service"`
			}
			c.MustData(t, &out, `{ _service { sdl } }`, nil)
			require.Equal(t, graph.SubgraphSDL(), out.Service.SDL)
			require.Contains(t, out.Service.SDL, `@link(url: "https://specs.apollo.dev/federation/v2.3"`)
			for _, typ := range []string{"Product", "Category", "Review", "User", "Quiz"} {
				require.Contains(t, out.Service.SDL, "type "+typ+" implements Node @key(fields: \"id\")")
			}
		})

		t.Run("Refused", func(t *testing.T) {
			err := e.gql.MustError(t, "GRAPHQL_VALIDATION_FAILED", entitiesQuery, map[string]any{"r": []any{rep("Product", fx.products[0].ID)}})
			require.Equal(t, graph.FederationDisabled, err.Message)
			err = e.gql.MustError(t, "GRAPHQL_VALIDATION_FAILED", `query Q { ...F } fragment F on Query { _service { sdl } }`, nil)
			require.Equal(t, graph.FederationDisabled, err.Message)
			closed := federated(t, e, false)
			err = closed.MustError(t, "GRAPHQL_VALIDATION_FAILED", `{ _service { sdl } }`, nil)
			require.Equal(t, graph.ServiceIntrospectionDisabled, err.Message)
			var out struct {
				Entities []map[string]any `json:"_entities"`
			}
			closed.MustData(t, &out, entitiesQuery, map[string]any{"r": []any{rep("Product", fx.products[0].ID)}})
			require.Len(t, out.Entities, 1, "_entities does not depend on introspection")
		})
	})
}

// TestEntitiesCost: _entities costs one lookup per representation, plus what each selects,
// and the budget refuses a call that asks for too many.
func TestEntitiesCost(t *testing.T) {
	st := storetest.Open(t, storetest.Kinds[0], nil)
	e := newEnv(t, st)
	c := federated(t, e, true)
	const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { name category { name } } } }`
	cost := func(n int) float64 {
		reps := make([]any, n)
		for i := range reps {
			reps[i] = rep("Product", e.fx.products[i].ID)
		}
		body, err := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"r": reps}})
		require.NoError(t, err)
		res, err := http.Post(c.URL, "application/json", bytes.NewReader(body))
		require.NoError(t, err)
		defer res.Body.Close()
		var out struct {
			Errors     []any
			Extensions struct{ Cost struct{ Requested float64 } }
		}
		require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
		require.Empty(t, out.Errors)
		return out.Extensions.Cost.Requested
	}
	// Each product: 1, plus 1 for its category.
	require.Equal(t, float64(2*3), cost(3))
	require.Equal(t, float64(2*30), cost(30))

	reps := make([]any, 3000) // 6,000 points, over the default budget of 5,000
	for i := range reps {
		reps[i] = rep("Product", e.fx.products[i%len(e.fx.products)].ID)
	}
	c.MustError(t, "QUERY_TOO_COMPLEX", query, map[string]any{"r": reps})
}

// TestEntitiesStatementCount: resolving N entities of one type, with nested objects and
// batched fields, costs the same statements for 10 as for 100.
func TestEntitiesStatementCount(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			e, counter := countingEnv(t, kind)
			c := federated(t, e, true)
			ids := e.st.Client.Product.Query().Order(ent.Asc("id")).IDsX(context.Background())
			users := e.st.Client.User.Query().Where(user.EmailHasPrefix("wide")).IDsX(context.Background())
			query := `query($r: [_Any!]!) { _entities(representations: $r) {
				... on Product { name category { name parent { name } } reviewCount ratingSummary { average }
					reviews(first: 3) { edges { node { title author { displayName } } } } }
				... on User { displayName reviewCount } } }`
			reps := func(n int) []any {
				out := make([]any, 0, n+len(users))
				for _, id := range ids[:n] {
					out = append(out, rep("Product", id))
				}
				for _, id := range users {
					out = append(out, rep("User", id))
				}
				return out
			}
			small, stmts := statements(t, c, counter, query, map[string]any{"r": reps(10)})
			large, largeStmts := statements(t, c, counter, query, map[string]any{"r": reps(100)})
			require.Equal(t, small, large, "statement count grew with representations:\n%s", shorten(largeStmts))
			// products, their categories, the categories' parents, review pages (window-limited),
			// their authors, rating summaries, review counts; users, their review counts.
			require.Equal(t, 9, small, "statements:\n%s", strings.Join(stmts, "\n"))
		})
	}
}
