package graph_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/httpcache"
	"github.com/vitrinehq/vitrine/internal/persisted"
	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/server"
)

// TestHTTPCaching checks the caching headers of GraphQL responses: public, validated GETs for
// anonymous reads; private, no-store for anything that involves who asks.
func TestHTTPCaching(t *testing.T) {
	e := edgeEnv(t)
	endpoint := serveEdge(t, e, server.Options{
		HTTPCache: &httpcache.Policy{MaxAge: 30 * time.Second},
		Documents: extension.AutomaticPersistedQuery{Cache: persisted.NewLocal()},
	})
	token := http.Header{"Authorization": {"Bearer " + mustToken(t, e, 1)}}

	t.Run("PublicGET", func(t *testing.T) {
		r := get(t, endpoint, map[string]any{"query": productsDoc}, nil).ok(t)
		require.Equal(t, "public, max-age=30", r.header.Get("Cache-Control"))
		require.ElementsMatch(t, []string{"Accept", "Authorization"}, r.header.Values("Vary"))
		etag := r.header.Get("ETag")
		require.Regexp(t, `^"[A-Za-z0-9_-]{24}"$`, etag, "a strong ETag")

		again := get(t, endpoint, map[string]any{"query": productsDoc}, nil).ok(t)
		require.Equal(t, etag, again.header.Get("ETag"), "same body, same ETag")

		other := get(t, endpoint, map[string]any{"query": `{ products(first: 1) { totalCount } }`}, nil).ok(t)
		require.NotEqual(t, etag, other.header.Get("ETag"))

		for _, inm := range []string{etag, `"x", ` + etag, "W/" + etag, "*"} {
			notModified := get(t, endpoint, map[string]any{"query": productsDoc}, http.Header{"If-None-Match": {inm}})
			require.Equal(t, http.StatusNotModified, notModified.status, inm)
			require.Empty(t, notModified.body)
			require.Equal(t, etag, notModified.header.Get("ETag"))
			require.Equal(t, "public, max-age=30", notModified.header.Get("Cache-Control"))
		}
		stale := get(t, endpoint, map[string]any{"query": productsDoc}, http.Header{"If-None-Match": {`"stale"`}}).ok(t)
		require.Equal(t, etag, stale.header.Get("ETag"))

		graphqlJSON := get(t, endpoint, map[string]any{"query": productsDoc}, http.Header{"Accept": {"application/graphql-response+json"}}).ok(t)
		require.NotEqual(t, etag, graphqlJSON.header.Get("ETag"), "another representation, another ETag")
	})
	t.Run("PublicAPQHashGET", func(t *testing.T) {
		hash := persisted.Hash(productsDoc)
		post(t, endpoint, map[string]any{"query": productsDoc, "extensions": apq(hash)}, nil).ok(t)
		r := get(t, endpoint, map[string]any{"extensions": apq(hash)}, nil).ok(t)
		require.Equal(t, "public, max-age=30", r.header.Get("Cache-Control"))
		require.NotEmpty(t, r.header.Get("ETag"))
	})

	product := map[string]any{"id": relay.Encode(e.fx.products[0].ID)}
	private := []struct {
		name   string
		send   func(t *testing.T) edgeReply
		status int
	}{
		{"Me", func(t *testing.T) edgeReply { return get(t, endpoint, map[string]any{"query": `{ me { id } }`}, nil) }, 200},
		{"MyRating", func(t *testing.T) edgeReply {
			return get(t, endpoint, map[string]any{"query": `query($id: ID!) { product(id: $id) { name myRating } }`, "variables": product}, nil)
		}, 200},
		{"MyReviewInAFragment", func(t *testing.T) edgeReply {
			return get(t, endpoint, map[string]any{"query": `query($id: ID!) { product(id: $id) { ...P } } fragment P on Product { name ... on Product { myReview { id } } }`, "variables": product}, nil)
		}, 200},
		{"UserEmailThroughNode", func(t *testing.T) edgeReply {
			return get(t, endpoint, map[string]any{"query": `query($id: ID!) { product(id: $id) { reviews(first: 1) { edges { node { author { displayName email } } } } } }`, "variables": product}, nil)
		}, 200},
		{"WithAToken", func(t *testing.T) edgeReply {
			return get(t, endpoint, map[string]any{"query": productsDoc}, token)
		}, 200},
		{"WithErrors", func(t *testing.T) edgeReply {
			return get(t, endpoint, map[string]any{"query": `{ productBySlug(slug: "no-such-product") { name } }`}, nil)
		}, 200},
		{"Invalid", func(t *testing.T) edgeReply {
			return get(t, endpoint, map[string]any{"query": `{ nope }`}, nil)
		}, 200},
		{"AuthGuardedField", func(t *testing.T) edgeReply {
			return get(t, endpoint, map[string]any{"query": `query($id: ID!) { quizStats(quizID: $id) { submissionCount } }`, "variables": product}, nil)
		}, 200},
		{"PersistedQueryNotFound", func(t *testing.T) edgeReply {
			// A CDN keeping this would break the hash for everyone until it expired.
			return get(t, endpoint, map[string]any{"extensions": apq(persisted.Hash("{ a }"))}, nil)
		}, 200},
		{"POST", func(t *testing.T) edgeReply { return post(t, endpoint, map[string]any{"query": productsDoc}, nil) }, 200},
		{"MutationOverGET", func(t *testing.T) edgeReply {
			return get(t, endpoint, map[string]any{"query": `mutation { deleteRating(productID: "x") }`}, nil)
		}, http.StatusMethodNotAllowed},
	}
	for _, c := range private {
		t.Run("Private"+c.name, func(t *testing.T) {
			r := c.send(t)
			require.Equal(t, c.status, r.status, "%s", r.body)
			require.Equal(t, httpcache.Private, r.header.Get("Cache-Control"))
			require.Empty(t, r.header.Get("ETag"))
		})
	}
}

func mustToken(t *testing.T, e *env, user int) string {
	t.Helper()
	u := e.fx.users[user]
	tok, _, err := e.tokens.Issue(u.ID, u.Role)
	require.NoError(t, err)
	return tok
}
